package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"newsdesk/internal/changelog"
	"newsdesk/internal/news"
)

// The change log (migration 0014) and its copy in memory (db.changes):
// what each write changed, as cache keys, by the data version it raised
// meta.version to; internal/changelog keeps it.

// Changes returns what the writes after data version since changed, up to
// the current version: by this process or, once WatchVersion has seen
// them, by another. All is set when a write named no keys or they are no
// longer known.
func (db *DB) Changes(since int64) news.Changes {
	return db.changes.Changes(since, db.Version())
}

// logChanges writes what the transaction changed into the change log as
// version v and records it in memory, before the commit: a reader sees
// the version only once the commit has raised it.
func (db *DB) logChanges(ctx context.Context, tx *sql.Tx, v int64, keys *changelog.Keys) error {
	list := keys.List()
	if _, err := tx.ExecContext(ctx, "INSERT INTO changes (version, keys) VALUES (?, ?) ON CONFLICT (version) DO UPDATE SET keys = excluded.keys",
		v, changelog.Format(list)); err != nil {
		return fmt.Errorf("log changes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM changes WHERE version <= ?", v-changelog.Kept); err != nil {
		return fmt.Errorf("prune changes: %w", err)
	}
	db.changes.Record(v, list)
	return nil
}

// readChanges records the changes other processes logged after version
// known up to v.
func (db *DB) readChanges(ctx context.Context, known, v int64) error {
	return db.changes.Learn(ctx, known, v, func(ctx context.Context, after, upTo int64) ([]changelog.Row, error) {
		return queryAll(ctx, db, func(r scanner) (changelog.Row, error) {
			var x changelog.Row
			return x, r.Scan(&x.Version, &x.Keys)
		}, "SELECT version, keys FROM changes WHERE version > ? AND version <= ? ORDER BY version", after, upTo)
	})
}
