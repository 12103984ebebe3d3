package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"newsdesk/internal/news"
)

// The change log (migration 0014) and its copy in memory: what each write
// changed, as cache keys, by the data version it raised meta.version to.
const (
	// changesKept is how many versions the changes table and the log in
	// memory keep; a reader further behind empties its cache.
	changesKept = 1024
	// changeKeysMax bounds the keys recorded for one write (a large
	// import batch): past it, the write changes everything.
	changeKeysMax = 20000
)

// changeLog is the change log in memory: this process's own writes,
// recorded before they commit, and other processes', read from the table
// by pollVersion.
type changeLog struct {
	mu sync.Mutex
	// byVersion holds the keys of each version after floor.
	byVersion map[int64][]string
	floor     int64 // versions up to floor are not known
}

// record adds what version v changed (merged with what is known of it: a
// version whose write failed may be used again).
func (l *changeLog) record(v int64, keys []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v <= l.floor {
		return
	}
	if l.byVersion == nil {
		l.byVersion = map[int64][]string{}
	}
	if old, ok := l.byVersion[v]; ok {
		keys = append(append([]string(nil), old...), keys...)
	}
	l.byVersion[v] = keys
	for old := range l.byVersion {
		if old <= v-changesKept {
			delete(l.byVersion, old)
			l.floor = max(l.floor, old)
		}
	}
}

// start sets what is known to begin after version v.
func (l *changeLog) start(v int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.floor = v
	clear(l.byVersion)
}

// Changes returns what the writes after data version since changed, up to
// the current version: by this process or, once WatchVersion has seen
// them, by another. All is set when a write named no keys or they are no
// longer known.
func (db *DB) Changes(since int64) news.Changes {
	v := db.Version()
	ch := news.Changes{Version: v}
	if since >= v {
		return ch
	}
	l := &db.changes
	l.mu.Lock()
	defer l.mu.Unlock()
	if since < l.floor || v-since > changesKept {
		ch.All = true
		return ch
	}
	set := news.KeySet{}
	for x := since + 1; x <= v; x++ {
		keys, ok := l.byVersion[x]
		if !ok {
			ch.All = true
			return ch
		}
		set.Add(keys...)
	}
	if _, all := set[news.KeyAll]; all {
		ch.All = true
		return ch
	}
	ch.Keys = set.Sorted()
	return ch
}

// logChanges writes what the transaction changed into the change log as
// version v and records it in memory, before the commit: a reader sees
// the version only once the commit has raised it.
func (db *DB) logChanges(ctx context.Context, tx *sql.Tx, v int64, keys news.KeySet) error {
	list := keys.Sorted()
	if len(list) == 0 || len(list) > changeKeysMax {
		list = []string{news.KeyAll}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO changes (version, keys) VALUES (?, ?) ON CONFLICT (version) DO UPDATE SET keys = excluded.keys",
		v, strings.Join(list, " ")); err != nil {
		return fmt.Errorf("log changes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM changes WHERE version <= ?", v-changesKept); err != nil {
		return fmt.Errorf("prune changes: %w", err)
	}
	db.changes.record(v, list)
	return nil
}

// readChanges records the changes other processes logged after version
// known up to v; a version with no row (pruned, or written by a program
// that logs none) changed everything.
func (db *DB) readChanges(ctx context.Context, known, v int64) error {
	if v-known > changesKept {
		db.changes.start(v)
		return nil
	}
	type row struct {
		v    int64
		keys string
	}
	rows, err := queryAll(ctx, db, func(r scanner) (row, error) {
		var x row
		return x, r.Scan(&x.v, &x.keys)
	}, "SELECT version, keys FROM changes WHERE version > ? AND version <= ? ORDER BY version", known, v)
	if err != nil {
		return fmt.Errorf("read changes: %w", err)
	}
	next := known + 1
	for _, r := range rows {
		for ; next < r.v; next++ {
			db.changes.record(next, []string{news.KeyAll})
		}
		db.changes.record(r.v, strings.Fields(r.keys))
		next = r.v + 1
	}
	for ; next <= v; next++ {
		db.changes.record(next, []string{news.KeyAll})
	}
	return nil
}
