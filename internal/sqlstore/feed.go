package sqlstore

import (
	"context"
	"fmt"
	"time"

	"newsdesk/internal/news"
)

// FeedColumns are the columns, and the joins, ScanFeed reads.
const FeedColumns = `f.id, src.id, src.name, src.slug, f.url, f.interval_seconds, f.etag, f.last_modified,
	f.created_at, coalesce(f.last_fetch_at, 0), f.last_status, f.last_error, f.last_rejected,
	coalesce(f.last_success_at, 0), f.failures, coalesce(f.failing_since, 0), f.next_fetch_at, f.items_added
	FROM feeds f JOIN sources src ON src.id = f.source_id`

// ScanFeed scans a row of FeedColumns.
func ScanFeed(row Row) (news.Feed, error) {
	var f news.Feed
	var interval, created, last, success, failing, next int64
	err := row.Scan(&f.ID, &f.Source.ID, &f.Source.Name, &f.Source.Slug, &f.URL, &interval, &f.ETag, &f.LastModified,
		&created, &last, &f.LastStatus, &f.LastError, &f.LastRejected, &success, &f.Failures, &failing, &next, &f.ItemsAdded)
	if err != nil {
		return f, err
	}
	f.Interval = time.Duration(interval) * time.Second
	f.CreatedAt, f.NextFetchAt = FromUnix(created), FromUnix(next)
	f.LastFetchAt, f.LastSuccessAt, f.FailingSince = optUnix(last), optUnix(success), optUnix(failing)
	return f, nil
}

// Feed returns feed id.
func (r Reads) Feed(ctx context.Context, id int64) (news.Feed, error) {
	f, err := ScanFeed(r.Q.QueryRow(ctx, "SELECT "+FeedColumns+" WHERE f.id = ?", id))
	return f, NotFound(err, "Feed %d not found.", id)
}

// optUnix is FromUnix with 0 meaning "never" (the zero time).
func optUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return FromUnix(s)
}

// DeleteFeed deletes feed id in the write transaction x. The stories it
// brought stay.
func DeleteFeed(ctx context.Context, x Execer, id int64) error {
	n, err := x.ExecRows(ctx, "DELETE FROM feeds WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete feed %d: %w", id, err)
	}
	if n == 0 {
		return news.Errorf(news.ENOTFOUND, "Feed %d not found.", id)
	}
	return nil
}

// RecordFeedCheck stores the result of fetching feed id in the write
// transaction x. A feed removed meanwhile is not an error: there is
// nothing left to record.
func RecordFeedCheck(ctx context.Context, x Execer, id int64, c news.FeedCheck) error {
	at := Unix(c.At)
	var err error
	if c.Failed {
		_, err = x.ExecRows(ctx, `UPDATE feeds SET last_fetch_at = ?, last_status = ?, last_error = ?, last_rejected = '',
			failures = failures + 1, failing_since = coalesce(failing_since, ?), next_fetch_at = ? WHERE id = ?`,
			at, c.Status, c.Err, at, Unix(c.Next), id)
	} else {
		_, err = x.ExecRows(ctx, `UPDATE feeds SET last_fetch_at = ?, last_status = ?, last_error = '', last_rejected = ?,
			last_success_at = ?, failures = 0, failing_since = NULL, next_fetch_at = ?, items_added = items_added + ?,
			etag = CASE WHEN ? OR ? THEN ? ELSE etag END,
			last_modified = CASE WHEN ? OR ? THEN ? ELSE last_modified END WHERE id = ?`,
			at, c.Status, c.Rejected, at, Unix(c.Next), c.Added,
			c.ETag != "", c.LastModified != "", c.ETag,
			c.ETag != "", c.LastModified != "", c.LastModified, id)
	}
	if err != nil {
		return fmt.Errorf("record fetch of feed %d: %w", id, err)
	}
	return nil
}
