package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
	"newsdesk/internal/store"
)

// AdminStories returns one page of the newsroom's stories, newest first,
// matching f, and how many match.
func (db *DB) AdminStories(ctx context.Context, f news.AdminFilter) (list []*news.Story, total int, err error) {
	where := []string{"s.deleted_at IS NULL"}
	if f.Trash {
		where[0] = "s.deleted_at IS NOT NULL"
	}
	var args []any
	from := storyFrom
	var q querier = db.pool
	if !f.Query.Empty() {
		tsq, qargs := tsQuery(f.Query)
		where = append(where, "s.search @@ "+tsq)
		args = append(args, qargs...)
		// Matches come from the GIN index (see search).
		return list, total, db.indexedSearch(ctx, func(t pgx.Tx) error {
			list, total, err = db.adminStories(ctx, t, f, from, where, args)
			return err
		})
	}
	return db.adminStories(ctx, q, f, from, where, args)
}

func (db *DB) adminStories(ctx context.Context, q querier, f news.AdminFilter, from string, where []string, args []any) ([]*news.Story, int, error) {
	if f.Status != "" {
		where = append(where, "s.status = ?")
		args = append(args, f.Status)
	}
	if f.SectionSlug != "" {
		where = append(where, "sec.slug = ?")
		args = append(args, f.SectionSlug)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := q.QueryRow(ctx, rebind("SELECT count(*)"+from+cond), textArgs(args)...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count admin stories: %w", err)
	}
	order := " ORDER BY s.updated_at DESC, s.id DESC"
	switch f.Sort {
	case "published":
		order = " ORDER BY s.published_at DESC, s.id DESC"
	case "title":
		order = ` ORDER BY lower(s.title) COLLATE "C", s.id`
	}
	list, err := queryStoriesOn(ctx, q, "SELECT "+storyColumns+from+cond+order+" LIMIT ? OFFSET ?",
		append(args, f.Page.Size, f.Page.Offset())...)
	return list, total, err
}

// SaveNewStory stores a story written in the newsroom, keeping its first
// revision, with the changes desk decided for it.
func (db *DB) SaveNewStory(ctx context.Context, st store.Story, userID int64, ch store.Changes) error {
	s := st.Story
	return db.storyTx(ctx, ch, func(w *tx) error {
		if err := w.checkUnique(ctx, s); err != nil {
			return err
		}
		if err := w.keys.Touch(ctx, s.ID); err != nil {
			return err
		}
		if err := w.save(ctx, st, true); err != nil {
			return err
		}
		s.Revision = 1
		if _, err := w.exec(ctx, "UPDATE stories SET comments_closed = ? WHERE id = ?", s.CommentsClosed, s.ID); err != nil {
			return fmt.Errorf("set comments of story %d: %w", s.ID, err)
		}
		// The first story of a source written in the newsroom makes it the
		// site's own, an original source.
		if _, err := w.exec(ctx, `UPDATE sources SET original = true WHERE id = ?
			AND NOT EXISTS (SELECT 1 FROM stories WHERE source_id = ? AND id != ?)`, s.Source.ID, s.Source.ID, s.ID); err != nil {
			return fmt.Errorf("mark source %d original: %w", s.Source.ID, err)
		}
		if err := w.keepRevision(ctx, s, userID); err != nil {
			return err
		}
		return w.recordEdits(ctx, s.ID, "", news.AllEditorFields(), false)
	})
}

// SaveEdit stores an editor's save of story st made from revision base,
// with the changes desk decided for it. If someone saved the story since,
// nothing is written and the error is ECONFLICT.
func (db *DB) SaveEdit(ctx context.Context, st store.Story, base int, userID int64, ch store.Changes) error {
	s := st.Story
	return db.storyTx(ctx, ch, func(w *tx) error {
		current, err := w.checkEdit(ctx, s, base)
		if err != nil {
			return err
		}
		if err := w.keys.Touch(ctx, s.ID); err != nil {
			return err
		}
		old, err := w.storedStoryByID(ctx, s.ID)
		if err != nil {
			return err
		}
		feedHash, err := w.feedHashOf(ctx, s.ID)
		if err != nil {
			return err
		}
		// An imported story has no first revision yet: keep it, so the
		// editor's change can be compared with what came in.
		if err := w.keepRevisionIfMissing(ctx, old); err != nil {
			return err
		}
		if err := w.save(ctx, st, false); err != nil {
			return err
		}
		if err := w.recordEditorSave(ctx, s, old, feedHash); err != nil {
			return err
		}
		s.Revision = current + 1
		if _, err := w.exec(ctx, "UPDATE stories SET revision = ?, comments_closed = ? WHERE id = ?", s.Revision, s.CommentsClosed, s.ID); err != nil {
			return fmt.Errorf("bump revision of story %d: %w", s.ID, err)
		}
		return w.keepRevision(ctx, s, userID)
	})
}

// checkEdit checks that an edit of s made from revision base may be
// saved, fills a blank slug with the stored one, and returns the stored
// revision.
func (w *tx) checkEdit(ctx context.Context, s *news.Story, base int) (int, error) {
	var current int
	var deleted bool
	var slug string
	err := w.queryRow(ctx, "SELECT revision, deleted_at IS NOT NULL, slug FROM stories WHERE id = ?", s.ID).Scan(&current, &deleted, &slug)
	if err != nil {
		return 0, notFound(err, "Story %d not found.", s.ID)
	}
	if deleted {
		return 0, news.Errorf(news.ECONFLICT, "This story was moved to the trash while you were editing it.")
	}
	if current != base {
		return 0, news.Errorf(news.ECONFLICT, "Someone else saved this story while you were editing it (now at revision %d, you started from %d). Your text is kept below: compare it with the saved version, then save again.", current, base)
	}
	// A blank slug keeps the story's address: links to it must not break.
	if s.Slug == "" {
		s.Slug = slug
	}
	return current, w.checkUnique(ctx, s)
}

// CheckStory reports what would make saving s (an edit from revision
// base, or a new story when base is 0) fail, before desk derives it.
// It fills a blank slug of an edit with the stored one.
func (db *DB) CheckStory(ctx context.Context, s *news.Story, base int) error {
	t, err := db.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	w := &tx{Tx: t, db: db, ids: map[string]int64{}}
	if base > 0 {
		_, err = w.checkEdit(ctx, s, base)
		return err
	}
	return w.checkUnique(ctx, s)
}

// checkUnique reports a slug or original URL that another story uses as a
// field error, before anything is written.
func (w *tx) checkUnique(ctx context.Context, s *news.Story) error {
	fields := map[string]string{}
	for _, c := range []struct{ col, val, field, msg string }{
		{"slug", s.Slug, "slug", "Another story already uses this slug."},
		{"url", s.URL, "url", "Another story already has this original URL."},
	} {
		if c.val == "" {
			continue
		}
		var id int64
		err := w.queryRow(ctx, "SELECT id FROM stories WHERE "+c.col+" = ? AND id != ?", c.val, s.ID).Scan(&id)
		if err == nil {
			fields[c.field] = c.msg
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("check %s: %w", c.col, err)
		}
	}
	if len(fields) > 0 {
		e := news.Errorf(news.EINVALID, "Please correct the highlighted fields.")
		e.Fields = fields
		return e
	}
	return nil
}

func (w *tx) keepRevision(ctx context.Context, s *news.Story, userID int64) error {
	snap := sqlstore.Snapshot{Title: s.Title, Slug: s.Slug, Summary: s.Summary, Body: s.Body, Source: s.Source.Name,
		URL: s.URL, Author: s.Author, Dateline: s.Dateline, Section: s.Section.Name, ImageURL: s.ImageURL,
		ImageAlt: s.ImageAlt, Status: s.Status, PublishedAt: unix(s.PublishedAt),
		ImageID: s.Image.ID, ImageCaption: s.ImageCaption, ImageCredit: s.ImageCredit}
	for _, t := range s.Tags {
		snap.Tags = append(snap.Tags, t.Name)
	}
	b, _ := json.Marshal(snap)
	var user sql.NullInt64
	if userID != 0 {
		user = sql.NullInt64{Int64: userID, Valid: true}
	}
	if _, err := w.exec(ctx, `INSERT INTO story_revisions (story_id, revision, user_id, created_at, snapshot)
		VALUES (?, ?, ?, ?, ?)`, s.ID, s.Revision, user, unix(w.db.Now()), string(b)); err != nil {
		return fmt.Errorf("keep revision %d of story %d: %w", s.Revision, s.ID, err)
	}
	return nil
}

// SaveTrashed moves story id to the trash, or out of it, with the
// changes desk decided for it (its full-text row and vector among them).
func (db *DB) SaveTrashed(ctx context.Context, id int64, trash bool, ch store.Changes) error {
	return db.storyTx(ctx, ch, func(w *tx) error {
		if err := w.keys.Touch(ctx, id); err != nil {
			return err
		}
		var deleted any
		if trash {
			deleted = unix(db.Now())
		}
		res, err := w.exec(ctx, "UPDATE stories SET deleted_at = ?, updated_at = ?, revision = revision + 1 WHERE id = ?", deleted, unix(db.Now()), id)
		if err != nil {
			return fmt.Errorf("trash story %d: %w", id, err)
		}
		if n := res.RowsAffected(); n == 0 {
			return news.Errorf(news.ENOTFOUND, "Story %d not found.", id)
		}
		return nil
	})
}

// SaveEmptyTrash deletes every trashed story for good and returns how
// many. Trashed stories are out of desk's related index already.
func (db *DB) SaveEmptyTrash(ctx context.Context) (int, error) {
	var n int64
	err := db.transact(ctx, func(w *tx) error {
		images, err := scanStrings(w.query(ctx, `SELECT DISTINCT si.media_id FROM story_images si
			JOIN stories s ON s.id = si.story_id WHERE s.deleted_at IS NOT NULL`))
		if err != nil {
			return err
		}
		res, err := w.exec(ctx, "DELETE FROM stories WHERE deleted_at IS NOT NULL")
		if err != nil {
			return fmt.Errorf("empty trash: %w", err)
		}
		n = res.RowsAffected()
		// Their pictures go too, unless another story shows them.
		for _, id := range images {
			if err := sqlstore.DropIfUnused(ctx, w, id); err != nil {
				return err
			}
		}
		// Trashed versions ranked last in their clusters: the others keep
		// their order; clusters left with no story go.
		if _, err := w.exec(ctx, "DELETE FROM clusters WHERE id NOT IN (SELECT cluster_id FROM cluster_members)"); err != nil {
			return fmt.Errorf("drop empty clusters: %w", err)
		}
		return nil
	})
	return int(n), err
}

// SavePublished marks the scheduled stories ids that are still due as
// published, with the changes desk decided for them.
func (db *DB) SavePublished(ctx context.Context, ids []int64, ch store.Changes) error {
	return db.storyTx(ctx, ch, func(w *tx) error {
		if err := w.keys.Touch(ctx, ids...); err != nil {
			return err
		}
		if _, err := w.exec(ctx, "UPDATE stories SET status = 'published' WHERE "+sqlstore.DueStories+" AND id = ANY(?)",
			unix(db.Now()), ids); err != nil {
			return fmt.Errorf("publish due stories: %w", err)
		}
		return nil
	})
}
