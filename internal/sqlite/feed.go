package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// Feeds returns every subscribed feed, by source name and then age.
func (db *DB) Feeds(ctx context.Context) ([]news.Feed, error) {
	return queryAll(ctx, db, sqlstore.ScanFeed, "SELECT "+sqlstore.FeedColumns+" ORDER BY src.name, f.id")
}

// CreateFeed subscribes f.Source (added when new) to the feed at f.URL,
// due at once. f must have passed Validate.
func (db *DB) CreateFeed(ctx context.Context, f *news.Feed) error {
	return db.quietTx(ctx, func(w *writer) error { // a subscription shows on no reader page
		var other int64
		err := w.queryRow(ctx, "SELECT id FROM feeds WHERE url = ?", f.URL).Scan(&other)
		if err == nil {
			e := news.Errorf(news.EINVALID, "This feed is already subscribed.")
			e.Fields = map[string]string{"url": fmt.Sprintf("This feed is already subscribed (feed %d).", other)}
			return e
		} else if err != sql.ErrNoRows {
			return fmt.Errorf("look up feed %q: %w", f.URL, err)
		}
		if f.Source.ID, err = w.named(ctx, "sources", f.Source.Name); err != nil {
			return err
		}
		if err := w.queryRow(ctx, "SELECT slug FROM sources WHERE id = ?", f.Source.ID).Scan(&f.Source.Slug); err != nil {
			return fmt.Errorf("select source %d: %w", f.Source.ID, err)
		}
		now := db.Now().UTC().Truncate(time.Second)
		f.CreatedAt, f.NextFetchAt = now, now
		err = w.queryRow(ctx, `INSERT INTO feeds (source_id, url, interval_seconds, created_at, next_fetch_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, f.Source.ID, f.URL, int64(f.Interval/time.Second), unix(now), unix(now)).Scan(&f.ID)
		if isUnique(err) {
			return news.Errorf(news.ECONFLICT, "This feed is already subscribed.")
		} else if err != nil {
			return fmt.Errorf("insert feed %q: %w", f.URL, err)
		}
		return nil
	})
}

// DeleteFeed stops polling feed id. The stories it brought stay.
func (db *DB) DeleteFeed(ctx context.Context, id int64) error {
	return db.quietTx(ctx, func(w *writer) error {
		return sqlstore.DeleteFeed(ctx, w, id)
	})
}

// RecordFeedCheck stores the result of fetching feed id
// (sqlstore.RecordFeedCheck).
func (db *DB) RecordFeedCheck(ctx context.Context, id int64, c news.FeedCheck) error {
	return db.quietTx(ctx, func(w *writer) error {
		return sqlstore.RecordFeedCheck(ctx, w, id, c)
	})
}
