package cluster

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listener keeps a LISTEN on a channel over a dedicated connection and
// calls Changed whenever another node (or this one) says it wrote. It
// reconnects when the connection fails, and calls Changed after every
// (re)connection too: notifications sent while it was away are lost, and
// Changed must catch up by reading what changed from the database.
type Listener struct {
	// DSN is the database's connection string.
	DSN string
	// Channel is the channel the writers notify.
	Channel string
	// Changed re-reads what changed (the store's data version or change
	// log). payload is the notification's; it is empty when Changed is
	// called after a (re)connection or a quiet spell, when anything may
	// have changed unannounced.
	Changed func(ctx context.Context, payload string) error
	// Idle is how long the listener waits for a notification before it
	// checks its connection (and calls Changed, as a safety net); default
	// 30 seconds.
	Idle time.Duration
	// Retry is the pause before reconnecting; default 1 second.
	Retry time.Duration
	// Log defaults to slog.Default().
	Log *slog.Logger
	// Ready, when set, is called each time the LISTEN is in place.
	Ready func()
}

// Run listens until ctx ends.
func (l *Listener) Run(ctx context.Context) {
	if l.Idle <= 0 {
		l.Idle = 30 * time.Second
	}
	if l.Retry <= 0 {
		l.Retry = time.Second
	}
	if l.Log == nil {
		l.Log = slog.Default()
	}
	for {
		err := l.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		l.Log.Warn("listen for changes from other nodes; reconnecting", "channel", l.Channel, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(l.Retry):
		}
	}
}

func (l *Listener) listen(ctx context.Context) error {
	cfg, err := connConfig(l.DSN)
	if err != nil {
		return err
	}
	dial, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(dial, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		closing, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Close(closing)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.Channel}.Sanitize()); err != nil {
		return err
	}
	if l.Ready != nil {
		l.Ready()
	}
	// Catch up with what was written while nobody listened.
	l.changed(ctx, "")
	for {
		wait, cancel := context.WithTimeout(ctx, l.Idle)
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			l.changed(ctx, n.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			// Quiet for a while: is the connection still there?
			ping, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := conn.Ping(ping)
			cancel()
			if err != nil {
				return err
			}
			l.changed(ctx, "")
		default:
			return err
		}
	}
}

func (l *Listener) changed(ctx context.Context, payload string) {
	if err := l.Changed(ctx, payload); err != nil && ctx.Err() == nil {
		l.Log.Error("read changes made by other nodes", "err", err)
	}
}
