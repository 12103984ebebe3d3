package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"newsdesk/internal/news"

	"newsdesk/internal/store"
)

// Tx is a store's write transaction as the writes written here use it:
// statements, and reads of one row.
type Tx interface {
	Execer
	Row(ctx context.Context, query string, args ...any) Row
}

// Statement is one statement a store's write transaction runs as it is.
type Statement struct {
	SQL  string
	Args []any
}

// RelatedList is the statements that store story id's related list,
// a row per listed story. When the stored list is known (was, known:
// store.Changes.ListsWas), the rows of stories it drops are deleted and
// those of stories new to it or scored anew are written; otherwise
// every other row of id's is deleted and list is written whole, leaving
// rows that hold what they held alone. A statement over several rows has
// one prepared form per count.
func RelatedList(id int64, list, was []store.Match, known bool) []Statement {
	var out []Statement
	write := list
	if known {
		write = nil
		for _, m := range list {
			if i := slices.IndexFunc(was, func(o store.Match) bool { return o.ID == m.ID }); i < 0 || was[i].Score != m.Score {
				write = append(write, m)
			}
		}
		var gone []any
		for _, o := range was {
			if !slices.ContainsFunc(list, func(m store.Match) bool { return m.ID == o.ID }) {
				gone = append(gone, o.ID)
			}
		}
		if len(gone) > 0 {
			out = append(out, Statement{"DELETE FROM story_related WHERE story_id = ? AND related_id IN (?" + strings.Repeat(", ?", len(gone)-1) + ")",
				append([]any{id}, gone...)})
		}
	} else if len(list) == 0 {
		out = append(out, Statement{"DELETE FROM story_related WHERE story_id = ?", []any{id}})
	} else {
		args := []any{id}
		for _, m := range list {
			args = append(args, m.ID)
		}
		out = append(out, Statement{"DELETE FROM story_related WHERE story_id = ? AND related_id NOT IN (?" + strings.Repeat(", ?", len(list)-1) + ")", args})
	}
	if len(write) == 0 {
		return out
	}
	args := make([]any, 0, 3*len(write))
	for _, m := range write {
		args = append(args, id, m.ID, m.Score)
	}
	return append(out, Statement{"INSERT INTO story_related AS r (story_id, related_id, score) VALUES (?, ?, ?)" +
		strings.Repeat(", (?, ?, ?)", len(write)-1) +
		" ON CONFLICT (story_id, related_id) DO UPDATE SET score = excluded.score WHERE r.score != excluded.score", args})
}

// SaveImage stores a processed picture and its files, unless an image
// with its id is stored already, in the write transaction x at now.
func SaveImage(ctx context.Context, x Execer, im news.Image, files []news.ImageFile, now time.Time) error {
	n, err := x.ExecRows(ctx, "INSERT INTO media (id, width, height, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
		im.ID, im.Width, im.Height, Unix(now))
	if err != nil {
		return fmt.Errorf("insert image %s: %w", im.ID, err)
	}
	if n == 0 {
		return nil
	}
	for _, f := range files {
		if _, err := x.ExecRows(ctx, "INSERT INTO media_files (media_id, width, height, type, data) VALUES (?, ?, ?, ?, ?)",
			im.ID, f.Width, f.Height, f.Type, f.Data); err != nil {
			return fmt.Errorf("insert file %d of image %s: %w", f.Width, im.ID, err)
		}
	}
	return nil
}

// WriteImage makes story s's lead image the one s names (none when
// Image.ID is blank) and removes the image it replaces if no other story
// uses it. An image that is no longer stored (a revision restored after
// its picture was replaced) leaves the story without a picture. A story
// new in this transaction (isNew) has no picture to replace.
func WriteImage(ctx context.Context, x Tx, s *news.Story, isNew bool) error {
	if isNew && s.Image.ID == "" {
		return nil
	}
	var old string
	err := x.Row(ctx, "SELECT media_id FROM story_images WHERE story_id = ?", s.ID).Scan(&old)
	if err != nil && !noRows(err) {
		return fmt.Errorf("select image of story %d: %w", s.ID, err)
	}
	if s.Image.ID == "" {
		if old != "" {
			if _, err := x.ExecRows(ctx, "DELETE FROM story_images WHERE story_id = ?", s.ID); err != nil {
				return fmt.Errorf("delete image of story %d: %w", s.ID, err)
			}
		}
	} else {
		err := x.Row(ctx, "SELECT width, height FROM media WHERE id = ?", s.Image.ID).Scan(&s.Image.Width, &s.Image.Height)
		if noRows(err) {
			s.Image = news.Image{}
			return WriteImage(ctx, x, s, isNew)
		} else if err != nil {
			return fmt.Errorf("select image %s: %w", s.Image.ID, err)
		}
		if _, err := x.ExecRows(ctx, `INSERT INTO story_images (story_id, media_id, caption, credit) VALUES (?, ?, ?, ?)
			ON CONFLICT (story_id) DO UPDATE SET media_id = excluded.media_id, caption = excluded.caption, credit = excluded.credit`,
			s.ID, s.Image.ID, s.ImageCaption, s.ImageCredit); err != nil {
			return fmt.Errorf("write image of story %d: %w", s.ID, err)
		}
	}
	if old != "" && old != s.Image.ID {
		return DropIfUnused(ctx, x, old)
	}
	return nil
}

// DropIfUnused deletes image id, and its files, when no story uses it.
func DropIfUnused(ctx context.Context, x Execer, id string) error {
	if _, err := x.ExecRows(ctx, "DELETE FROM media WHERE id = ? AND NOT EXISTS (SELECT 1 FROM story_images WHERE media_id = ?)", id, id); err != nil {
		return fmt.Errorf("delete image %s: %w", id, err)
	}
	return nil
}

// DeleteUnusedImages deletes, in the write transaction x, the images that
// no story uses and that were stored before since, and says how many.
func DeleteUnusedImages(ctx context.Context, x Execer, since time.Time) (int64, error) {
	n, err := x.ExecRows(ctx, `DELETE FROM media WHERE created_at < ?
		AND NOT EXISTS (SELECT 1 FROM story_images WHERE media_id = media.id)`, Unix(since))
	if err != nil {
		return 0, fmt.Errorf("delete unused images: %w", err)
	}
	return n, nil
}

// RecordEdits writes story id's row of story_edits in the write
// transaction x. An empty feedHash keeps the stored one; revisedAt (Unix
// seconds, or nil) is when readers saw the story change, nil keeping the
// stored time.
func RecordEdits(ctx context.Context, x Execer, id int64, feedHash string, fields []string, revisedAt any) error {
	_, err := x.ExecRows(ctx, `INSERT INTO story_edits (story_id, feed_hash, editor_fields, revised_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (story_id) DO UPDATE SET
			feed_hash = CASE WHEN excluded.feed_hash = '' THEN story_edits.feed_hash ELSE excluded.feed_hash END,
			editor_fields = excluded.editor_fields,
			revised_at = coalesce(excluded.revised_at, story_edits.revised_at)`,
		id, feedHash, strings.Join(fields, ","), revisedAt)
	if err != nil {
		return fmt.Errorf("record edits of story %d: %w", id, err)
	}
	return nil
}

// EditorFieldsOf returns the fields an editor changed on story id.
func EditorFieldsOf(ctx context.Context, x Tx, id int64) ([]string, error) {
	var fields string
	err := x.Row(ctx, "SELECT editor_fields FROM story_edits WHERE story_id = ?", id).Scan(&fields)
	if noRows(err) || fields == "" {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("select edits of story %d: %w", id, err)
	}
	return strings.Split(fields, ","), nil
}
