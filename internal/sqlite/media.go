package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// SaveImage stores a processed picture and its files, unless an image
// with its id is stored already. It runs in a transaction of its own,
// before the story that uses the image is written: pictures are made
// outside the story's transaction, and a picture no story takes up is
// swept by DeleteUnusedImages.
func (db *DB) SaveImage(ctx context.Context, im news.Image, files []news.ImageFile) error {
	return db.dataTx(ctx, func(w *writer) error {
		w.quiet = true // readers see it only once a story uses it
		res, err := w.tx.ExecContext(ctx, "INSERT INTO media (id, width, height, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
			im.ID, im.Width, im.Height, unix(db.Now()))
		if err != nil {
			return fmt.Errorf("insert image %s: %w", im.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		for _, f := range files {
			if _, err := w.tx.ExecContext(ctx, "INSERT INTO media_files (media_id, width, height, type, data) VALUES (?, ?, ?, ?, ?)",
				im.ID, f.Width, f.Height, f.Type, f.Data); err != nil {
				return fmt.Errorf("insert file %d of image %s: %w", f.Width, im.ID, err)
			}
		}
		return nil
	})
}

// writeImage makes story s's lead image the one s names (none when
// Image.ID is blank) and removes the image it replaces if no other story
// uses it. An image that is no longer stored (a revision restored after
// its picture was replaced) leaves the story without a picture.
func (w *writer) writeImage(ctx context.Context, s *news.Story) error {
	var old string
	err := w.queryRow(ctx, "SELECT media_id FROM story_images WHERE story_id = ?", s.ID).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("select image of story %d: %w", s.ID, err)
	}
	if s.Image.ID == "" {
		if old != "" {
			if _, err := w.exec(ctx, "DELETE FROM story_images WHERE story_id = ?", s.ID); err != nil {
				return fmt.Errorf("delete image of story %d: %w", s.ID, err)
			}
		}
	} else {
		err := w.queryRow(ctx, "SELECT width, height FROM media WHERE id = ?", s.Image.ID).Scan(&s.Image.Width, &s.Image.Height)
		if errors.Is(err, sql.ErrNoRows) {
			s.Image = news.Image{}
			return w.writeImage(ctx, s)
		} else if err != nil {
			return fmt.Errorf("select image %s: %w", s.Image.ID, err)
		}
		if _, err := w.exec(ctx, `INSERT INTO story_images (story_id, media_id, caption, credit) VALUES (?, ?, ?, ?)
			ON CONFLICT (story_id) DO UPDATE SET media_id = excluded.media_id, caption = excluded.caption, credit = excluded.credit`,
			s.ID, s.Image.ID, s.ImageCaption, s.ImageCredit); err != nil {
			return fmt.Errorf("write image of story %d: %w", s.ID, err)
		}
	}
	if old != "" && old != s.Image.ID {
		return w.dropIfUnused(ctx, old)
	}
	return nil
}

// dropIfUnused deletes image id, and its files, when no story uses it.
func (w *writer) dropIfUnused(ctx context.Context, id string) error {
	if _, err := w.exec(ctx, "DELETE FROM media WHERE id = ? AND NOT EXISTS (SELECT 1 FROM story_images WHERE media_id = ?)", id, id); err != nil {
		return fmt.Errorf("delete image %s: %w", id, err)
	}
	return nil
}

// DeleteUnusedImages deletes the images that no story uses and that were
// stored before since: pictures uploaded or fetched for a story whose save
// then failed or was abandoned. The grace period keeps a picture being
// saved right now, whose story is not written yet.
func (db *DB) DeleteUnusedImages(ctx context.Context, since time.Time) (int, error) {
	var n int64
	err := db.dataTx(ctx, func(w *writer) error {
		w.quiet = true
		res, err := w.tx.ExecContext(ctx, `DELETE FROM media WHERE created_at < ?
			AND NOT EXISTS (SELECT 1 FROM story_images WHERE media_id = media.id)`, unix(since))
		if err != nil {
			return fmt.Errorf("delete unused images: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

func scanStrings(rows *sql.Rows, err error) ([]string, error) {
	return sqlstore.ScanStrings(sqlRows{rows}, err)
}
