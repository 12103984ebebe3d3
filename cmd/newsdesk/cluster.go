package main

import (
	"context"
	"log/slog"
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
// elected is called each time this node becomes the leader. Alone on
// SQLite, the node always leads and polls the file for other processes'
// writes.
func coordinate(ctx context.Context, db any, log *slog.Logger) (cluster.Elector, func(elected func())) {
	sh, ok := db.(sharedDB)
	if !ok {
		return cluster.Solo{}, func(func()) {
			if w, ok := db.(versionWatcher); ok {
				go w.WatchVersion(ctx, time.Second)
			}
		}
	}
	leader := &cluster.Leader{DSN: sh.DSN(), Log: log}
	return leader, func(elected func()) {
		leader.Elected = elected
		go leader.Run(ctx)
		listener := &cluster.Listener{DSN: sh.DSN(), Channel: sh.Channel(), Changed: sh.Refresh, Log: log}
		go listener.Run(ctx)
	}
}
