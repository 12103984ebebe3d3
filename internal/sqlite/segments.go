package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// FTS5 writes each transaction's terms as a new segment of the index and
// merges a level's segments into one on the next level once automerge of
// them have piled up. A search seeks every segment for each of its terms,
// so fewer segments make it faster: at 100k stories, a common word's
// search page took a quarter less time over one segment than over the
// thirteen a 100k import left before it merged them at its end
// (docs/PERFORMANCE.md).
const (
	automerge     = 4  // FTS5's default, for the site's everyday writes
	bulkAutomerge = 16 // while an import writes batch after batch
)

// BeginBulk readies the full-text indexes for an import of many stories.
// Until end is called, FTS5 lets more segments pile up on a level before
// it merges them, so that each term's postings are rewritten fewer times
// as the index grows. end sets automerge back and, when the import wrote
// at least a quarter of the stories the index then holds, merges each
// index into one segment ('optimize'): it costs about what the merges
// the import saved did, and the index is then in its fastest form to
// search.
// After a smaller import, merging the whole index would cost more than
// the import, and FTS5 goes on merging as it did.
//
// An import that stops without calling end leaves automerge at 16, which
// delays merges, and TidySearch's too, until the next import's end.
func (db *DB) BeginBulk(ctx context.Context) (end func(context.Context) error, err error) {
	before, err := db.indexedStories(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.setAutomerge(ctx, bulkAutomerge); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		after, err := db.indexedStories(ctx)
		if err != nil {
			return err
		}
		merge := (after-before)*4 >= after && after > before
		return db.quietTx(ctx, func(w *writer) error {
			if err := w.setAutomerge(ctx, automerge); err != nil || !merge {
				return err
			}
			for _, table := range ftsTables {
				if err := w.ftsCommand(ctx, table, "optimize"); err != nil {
					return err
				}
			}
			return nil
		})
	}, nil
}

// tidyOver is how many segments an index may have before TidySearch
// merges it: FTS5 keeps up to three on each level, a few levels after a
// day of feed polls, each poll its own segment.
const tidyOver = 12

// tidyPages is how many pages of an index one step of TidySearch merges,
// tens of milliseconds: the longest a step keeps other writers waiting.
var tidyPages = 256

// TidySearch merges each full-text index that has more than tidyOver
// segments into one, a step at a time: each step is a transaction of its
// own, and other writes go between them. It stops when ctx ends, and
// reports whether it merged anything. serve calls it now and then; after
// many small writes (feed polls, editors' saves) the segments pile up
// again, and a search seeks them all.
//
// While an import runs beside serve (automerge raised), the index is left
// to the import's own merge at its end.
func (db *DB) TidySearch(ctx context.Context) (merged bool, err error) {
	var am int
	if err := db.readQueryRow(ctx, "SELECT v FROM live_fts_config WHERE k = 'automerge'").Scan(&am); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("read live_fts automerge: %w", err)
	}
	if am == bulkAutomerge {
		return false, nil
	}
	for _, table := range []string{"live_fts", "story_heads_fts"} {
		segs, err := db.segments(ctx, table)
		if err != nil {
			return merged, err
		}
		if segs <= tidyOver {
			continue
		}
		var blocks int
		if err := db.readQueryRow(ctx, "SELECT count(*) FROM "+table+"_data").Scan(&blocks); err != nil {
			return merged, fmt.Errorf("count %s blocks: %w", table, err)
		}
		// A negative 'merge' is a step of 'optimize': it puts every
		// segment on one level and merges up to that many pages of it.
		// Enough steps for every block twice over, in case one makes no
		// progress.
		for steps := 2*blocks/tidyPages + 2*segs; segs > 1 && steps > 0; steps-- {
			if err := db.quietTx(ctx, func(w *writer) error {
				return w.ftsCommand(ctx, table, "merge", -tidyPages)
			}); err != nil {
				return merged, err
			}
			merged = true
			if segs, err = db.segments(ctx, table); err != nil {
				return merged, err
			}
			select {
			case <-ctx.Done():
				return merged, ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	return merged, nil
}

// segments counts the segments of a full-text index.
func (db *DB) segments(ctx context.Context, table string) (int, error) {
	var n int
	if err := db.readQueryRow(ctx, "SELECT count(DISTINCT segid) FROM "+table+"_idx").Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s segments: %w", table, err)
	}
	return n, nil
}

// indexedStories counts the rows of the full-text index of listed stories.
func (db *DB) indexedStories(ctx context.Context) (int, error) {
	var n int
	if err := db.readQueryRow(ctx, "SELECT count(*) FROM live_fts_docsize").Scan(&n); err != nil {
		return 0, fmt.Errorf("count indexed stories: %w", err)
	}
	return n, nil
}

// setAutomerge sets every full-text index's automerge to n, in a
// transaction of its own.
func (db *DB) setAutomerge(ctx context.Context, n int) error {
	return db.quietTx(ctx, func(w *writer) error { return w.setAutomerge(ctx, n) })
}

// setAutomerge sets every full-text index's automerge to n.
func (w *writer) setAutomerge(ctx context.Context, n int) error {
	for _, table := range ftsTables {
		if err := w.ftsCommand(ctx, table, "automerge", n); err != nil {
			return err
		}
	}
	return nil
}
