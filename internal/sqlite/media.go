package sqlite

import (
	"context"
	"database/sql"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// SaveImage stores a processed picture and its files
// (sqlstore.SaveImage). It runs in a transaction of its own, before the
// story that uses the image is written: pictures are made outside the
// story's transaction, and a picture no story takes up is swept by
// DeleteUnusedImages.
func (db *DB) SaveImage(ctx context.Context, im news.Image, files []news.ImageFile) error {
	return db.quietTx(ctx, func(w *writer) error { // readers see it only once a story uses it
		return sqlstore.SaveImage(ctx, w, im, files, db.Now())
	})
}

// DeleteUnusedImages deletes the images that no story uses and that were
// stored before since: pictures uploaded or fetched for a story whose save
// then failed or was abandoned. The grace period keeps a picture being
// saved right now, whose story is not written yet.
func (db *DB) DeleteUnusedImages(ctx context.Context, since time.Time) (int, error) {
	var n int64
	err := db.quietTx(ctx, func(w *writer) error {
		var err error
		n, err = sqlstore.DeleteUnusedImages(ctx, w, since)
		return err
	})
	return int(n), err
}

func scanStrings(rows *sql.Rows, err error) ([]string, error) {
	return sqlstore.ScanStrings(sqlRows{rows}, err)
}
