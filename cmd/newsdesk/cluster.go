package main

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"newsdesk/internal/cluster"
)

// sharedDB is a database several serve nodes share (PostgreSQL): it names
// its connection string and the channel its writers notify on commit,
// and re-reads its data version on demand.
type sharedDB interface {
	DSN() string
	Channel() string
	Refresh(ctx context.Context) error
	Version() int64
}

// versionWatcher is a database that only this host writes to (SQLite):
// other processes' writes are seen by polling.
type versionWatcher interface {
	WatchVersion(ctx context.Context, interval time.Duration)
}

// coordinate returns who runs the scheduled work, and the function that
// starts, until ctx ends, what keeps this node in step with the others on
// its database. On a shared database the leader is the node holding the
// leader lock, and every node hears the others' writes through
// LISTEN/NOTIFY, so that its render cache drops what they changed;
// elected is called each time this node becomes the leader, and foreign
// each time another node wrote (the related index must be reloaded).
// Alone on SQLite, the node always leads and polls the file for other
// processes' writes.
func coordinate(ctx context.Context, db any, log *slog.Logger) (cluster.Elector, func(elected, foreign func())) {
	sh, ok := db.(sharedDB)
	if !ok {
		return cluster.Solo{}, func(func(), func()) {
			if w, ok := db.(versionWatcher); ok {
				go w.WatchVersion(ctx, time.Second)
			}
		}
	}
	leader := &cluster.Leader{DSN: sh.DSN(), Log: log}
	return leader, func(elected, foreign func()) {
		leader.Elected = elected
		go leader.Run(ctx)
		listener := &cluster.Listener{DSN: sh.DSN(), Channel: sh.Channel(), Log: log,
			Changed: func(ctx context.Context, payload string) error {
				before := sh.Version()
				err := sh.Refresh(ctx)
				if foreignWrite(before, sh.Version(), payload) {
					foreign()
				}
				return err
			}}
		go listener.Run(ctx)
	}
}

// foreignWrite tells whether a change the listener heard was another
// node's. Every write raises the data version by one and announces the
// new version; this node's own writes raise its version before their
// announcement comes back. So an announced version above what the node
// had seen is another node's; and after a reconnection or a quiet spell
// (no payload) any rise is. (An own write that commits just after
// another node's, before that node's announcement arrives, hides it; the
// next foreign write or reconnection catches up.)
func foreignWrite(before, after int64, payload string) bool {
	if payload == "" {
		return after > before
	}
	v, err := strconv.ParseInt(payload, 10, 64)
	return err != nil || v > before
}
