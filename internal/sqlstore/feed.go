package sqlstore

import (
	"context"
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
