package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

// The writes the application layer (internal/desk) makes that no other
// file has. What it reads to load its related index and to decide a
// write, both stores read alike: internal/sqlstore (DB.Reads).

// Clock is the store's clock (Now).
func (db *DB) Clock() time.Time { return db.Now() }

// SaveText stores the plain text of stories stored before it was kept.
func (db *DB) SaveText(ctx context.Context, texts map[int64]string) error {
	return db.quietTx(ctx, func(w *writer) error {
		for id, t := range texts {
			if _, err := w.exec(ctx, "UPDATE stories SET body_text = ? WHERE id = ?", t, id); err != nil {
				return fmt.Errorf("fill text of story %d: %w", id, err)
			}
			// Migration 0012 indexed these stories without their body.
			if err := w.refillFTS(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReserveIDs hands out story and cluster ids that no other write, in this
// process or another, will use.
func (db *DB) ReserveIDs(ctx context.Context, stories, clusters int) (firstStory, firstCluster int64, err error) {
	if stories == 0 && clusters == 0 {
		return 0, 0, nil
	}
	err = db.quietTx(ctx, func(w *writer) error {
		for _, r := range []struct {
			table string
			n     int
			first *int64
		}{{"stories", stories, &firstStory}, {"clusters", clusters, &firstCluster}} {
			if r.n == 0 {
				continue
			}
			if err := w.queryRow(ctx, `UPDATE reserved_ids SET next = max(next, coalesce((SELECT max(id) FROM `+r.table+`), 0) + 1) + ?
				WHERE name = ? RETURNING next - ?`, r.n, r.table, r.n).Scan(r.first); err != nil {
				return fmt.Errorf("reserve %s ids: %w", r.table, err)
			}
		}
		return nil
	})
	return firstStory, firstCluster, err
}

// SaveImport stores an import batch as desk made it, then the changes
// decide returns. decide runs while the stories' rows and full-text rows
// are written, on another goroutine and from copies of the stories
// (decide reads them). Once both are done, the copies, with what the
// store set on them (ids, slugs, tags' names, revisions), replace the
// stories, and the vectors decide set are written.
func (db *DB) SaveImport(ctx context.Context, items []store.Imported, decide func() (store.Changes, error)) error {
	return db.transact(ctx, func(w *writer) error {
		ids := make([]int64, len(items))
		copies := make([]store.Imported, len(items))
		for i, it := range items {
			ids[i] = it.Story.Story.ID
			s := *it.Story.Story
			s.Tags = slices.Clone(s.Tags)
			copies[i] = it
			copies[i].Story.Story = &s
		}
		if err := w.keys.Touch(ctx, ids...); err != nil {
			return err
		}
		written := make(chan error, 1)
		go func() {
			defer func() {
				// Nothing up this goroutine's stack recovers a panic.
				if r := recover(); r != nil {
					written <- fmt.Errorf("write import batch: panic: %v", r)
				}
			}()
			written <- w.saveImported(ctx, copies)
		}()
		ch, err := decide()
		if err := <-written; err != nil {
			return err
		}
		if err != nil {
			return err
		}
		for i, it := range items {
			*it.Story.Story = *copies[i].Story.Story
			if err := w.writeVector(ctx, it.Story); err != nil {
				return err
			}
		}
		// storyTx looks at what ch changes before its rows, this after
		// them: the rows change nothing Before reads of other stories,
		// and Touch read the batch's own before they were written.
		if err := w.keys.Before(ctx, ch); err != nil {
			return err
		}
		return w.storeChanges(ctx, ch)
	})
}

// saveImported stores the stories of an import batch with their tags and
// full-text rows, but not their vectors. It writes the full-text index's
// segments too, the largest part of the work, which would otherwise
// wait for the first statement after it.
func (w *writer) saveImported(ctx context.Context, items []store.Imported) error {
	if err := w.knownTags(ctx, items); err != nil {
		return err
	}
	for _, it := range items {
		var err error
		if it.Outcome == news.Updated {
			err = w.updateFromFeed(ctx, it)
		} else {
			err = w.writeStory(ctx, it.Story, true)
		}
		if err != nil {
			return err
		}
	}
	if err := w.flushFTS(ctx); err != nil {
		return err
	}
	return w.writeFTS(ctx)
}

// SaveChanges stores ch alone.
func (db *DB) SaveChanges(ctx context.Context, ch store.Changes) error {
	return db.storyTx(ctx, ch, nil)
}

// ftsSource selects a story's full-text row from what is stored: the
// columns of live_fts and unlisted_fts, for the story whose id is its one
// argument.
const ftsSource = `SELECT s.id, s.title, s.summary, coalesce(s.body_text, ''),
	coalesce((SELECT group_concat(t.name, ' ') FROM story_tags st
		JOIN tags t ON t.id = st.tag_id WHERE st.story_id = s.id), ''), src.name
	FROM stories s JOIN sources src ON src.id = s.source_id WHERE s.id = ?`

// refillFTS writes story id's full-text row again from what is stored.
func (w *writer) refillFTS(ctx context.Context, id int64) error {
	for _, q := range []string{
		"DELETE FROM live_fts WHERE rowid = ?",
		"DELETE FROM unlisted_fts WHERE rowid = ?",
		"INSERT INTO live_fts (rowid, title, summary, body, tags, source) " + ftsSource +
			" AND s.status = 'published' AND s.deleted_at IS NULL",
		"INSERT INTO unlisted_fts (rowid, title, summary, body, tags, source) " + ftsSource +
			" AND (s.status != 'published' OR s.deleted_at IS NOT NULL)",
	} {
		if _, err := w.exec(ctx, q, id); err != nil {
			return fmt.Errorf("index text of story %d: %w", id, err)
		}
	}
	return nil
}
