// Package cluster is what lets several newsdesk nodes share one
// PostgreSQL database: a leader elected by an advisory lock, which alone
// runs the scheduled work (publishing, feed polling), and a LISTEN loop
// that tells each node when another one wrote.
package cluster

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Elector says whether this node is the one that runs scheduled work.
type Elector interface {
	Leading() bool
}

// Solo is the elector of a node that is alone on its database, as with
// SQLite: it always leads.
type Solo struct{}

// Leading reports true.
func (Solo) Leading() bool { return true }

// AppSuffix ends the application_name of the leader lock's session.
const AppSuffix = "(newsdesk leader election)"

// Timing of the leader election.
const (
	// DefaultRetry is how often a follower tries to take the lock: a
	// dead leader's work resumes on another node within about this.
	DefaultRetry = 5 * time.Second
	// DefaultCheck is how often the leader checks that its session, and
	// so its lock, is alive; a leader that cannot tell stops leading.
	DefaultCheck = 2 * time.Second
)

// Leader elects one node among those sharing a PostgreSQL database: the
// one whose session holds a session-level advisory lock. The lock lives
// on a dedicated connection, not one from a pool, so that no other work
// can release it or take it home. When the node dies the server ends its
// session and frees the lock (a killed process at once: the kernel closes
// its socket; a vanished machine after TCP keepalives, set short on the
// session), and another node's retry takes it.
type Leader struct {
	// DSN is the database's connection string.
	DSN string
	// Name sets the lock apart from other uses; nodes of one site must
	// agree on it. The lock key also depends on the session's schema,
	// so sites in different schemas of one database elect apart.
	Name string
	// Retry and Check default to DefaultRetry and DefaultCheck.
	Retry, Check time.Duration
	// Log defaults to slog.Default().
	Log *slog.Logger
	// Elected, when set, is called (on Run's goroutine) each time this
	// node becomes the leader.
	Elected func()

	leading atomic.Bool
	once    sync.Once
}

// Leading reports whether this node holds the lock, as last checked.
func (l *Leader) Leading() bool { return l.leading.Load() }

func (l *Leader) init() {
	l.once.Do(func() {
		if l.Retry <= 0 {
			l.Retry = DefaultRetry
		}
		if l.Check <= 0 {
			l.Check = DefaultCheck
		}
		if l.Log == nil {
			l.Log = slog.Default()
		}
		if l.Name == "" {
			l.Name = "newsdesk leader"
		}
	})
}

// Run campaigns until ctx ends: it tries to take the lock every Retry,
// and once it has it checks its session every Check. On any error the
// node stops leading at once, drops the connection (which frees the lock
// if the server still held it) and campaigns again.
func (l *Leader) Run(ctx context.Context) {
	l.init()
	defer l.leading.Store(false)
	for {
		err := l.term(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			l.Log.Warn("leader election", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(l.Retry):
		}
	}
}

// term connects, tries to take the lock until it does, then holds it
// until the session fails or ctx ends.
func (l *Leader) term(ctx context.Context) error {
	cfg, err := connConfig(l.DSN)
	if err != nil {
		return err
	}
	// A server that stops hearing from this node's machine ends the
	// session, and frees the lock, within about 10 + 3·5 seconds.
	cfg.RuntimeParams["tcp_keepalives_idle"] = "10"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "5"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	// The session names itself (and the node, when the DSN names it in
	// application_name), so that an operator sees who leads in
	// pg_stat_activity joined with pg_locks.
	cfg.RuntimeParams["application_name"] = strings.TrimSpace(cfg.RuntimeParams["application_name"] + " " + AppSuffix)
	dial, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(dial, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		l.leading.Store(false)
		// Closing the session frees the lock; a clean close says so
		// to the server at once.
		closing, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Close(closing)
	}()
	for {
		got, err := l.try(ctx, conn)
		if err != nil {
			return err
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(l.Retry):
		}
	}
	l.leading.Store(true)
	l.Log.Info("this node is now the leader: it runs scheduled publishing and feed polling")
	if l.Elected != nil {
		l.Elected()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(l.Check):
		}
		ping, cancel := context.WithTimeout(ctx, l.Check+time.Second)
		err := conn.Ping(ping)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			l.leading.Store(false)
			l.Log.Warn("this node lost the leader lock's session; campaigning again", "err", err)
			return err
		}
	}
}

// try takes the lock if it is free.
func (l *Leader) try(ctx context.Context, conn *pgx.Conn) (bool, error) {
	q, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var got bool
	err := conn.QueryRow(q, "SELECT pg_try_advisory_lock(hashtext($1 || ' ' || current_schema()))", l.Name).Scan(&got)
	return got, err
}

// connConfig parses dsn for a single connection. Parameters meant for a
// pool (pool_max_conns and the like, which the store's pgxpool reads from
// the same DSN) are dropped: a lone connection would send them to the
// server as settings it does not know.
func connConfig(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	for k := range cfg.RuntimeParams {
		if strings.HasPrefix(k, "pool_") {
			delete(cfg.RuntimeParams, k)
		}
	}
	return cfg, nil
}
