package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"newsdesk/internal/store"
)

// The writes the application layer (internal/desk) makes that no other
// file has. What it reads to load its related index and to decide a
// write, both stores read alike: internal/sqlstore (DB.Reads).

// Clock is the store's clock (Now).
func (db *DB) Clock() time.Time { return db.Now() }

// SaveText stores the plain text of stories stored before it was kept.
func (db *DB) SaveText(ctx context.Context, texts map[int64]string) error {
	return db.transact(ctx, func(w *tx) error {
		w.quiet = true
		for id, t := range texts {
			if _, err := w.exec(ctx, "UPDATE stories SET body_text = ? WHERE id = ?", t, id); err != nil {
				return fmt.Errorf("fill text of story %d: %w", id, err)
			}
		}
		// A site copied without the text was indexed without its bodies.
		return w.reindexSearch(ctx, slices.Collect(maps.Keys(texts)))
	})
}

// ReserveIDs hands out story and cluster ids that no other write, in this
// process or another, will use.
func (db *DB) ReserveIDs(ctx context.Context, stories, clusters int) (firstStory, firstCluster int64, err error) {
	if stories == 0 && clusters == 0 {
		return 0, 0, nil
	}
	err = db.transact(ctx, func(w *tx) error {
		w.quiet = true
		for _, r := range []struct {
			table string
			n     int
			first *int64
		}{{"stories", stories, &firstStory}, {"clusters", clusters, &firstCluster}} {
			if r.n == 0 {
				continue
			}
			if err := w.queryRow(ctx, `UPDATE reserved_ids SET next = greatest(next, coalesce((SELECT max(id) FROM `+r.table+`), 0) + 1) + ?
				WHERE name = ? RETURNING next - ?`, r.n, r.table, r.n).Scan(r.first); err != nil {
				return fmt.Errorf("reserve %s ids: %w", r.table, err)
			}
		}
		return nil
	})
	return firstStory, firstCluster, err
}

// SaveImport stores an import batch as desk made it, then the changes
// decide returns. decide runs first, before the transaction.
func (db *DB) SaveImport(ctx context.Context, items []store.Imported, decide func() (store.Changes, error)) error {
	ch, err := decide()
	if err != nil {
		return err
	}
	return db.storyTx(ctx, ch, func(w *tx) error {
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.Story.Story.ID
		}
		if err := w.keys.Touch(ctx, ids...); err != nil {
			return err
		}
		for _, it := range items {
			if err := w.saveImported(ctx, it); err != nil {
				return err
			}
		}
		return nil
	})
}

// SaveChanges stores ch alone.
func (db *DB) SaveChanges(ctx context.Context, ch store.Changes) error {
	return db.storyTx(ctx, ch, nil)
}
