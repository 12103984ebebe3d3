package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"newsdesk/internal/news"
)

// Readers' comments and the site's settings, as both stores read them.

const commentColumns = `c.id, c.story_id, s.slug, s.title, c.name, c.email, c.body, c.status, c.ip_hash, c.commenter, c.created_at`

func scanComment(row Row) (*news.Comment, error) {
	var c news.Comment
	var created int64
	if err := row.Scan(&c.ID, &c.StoryID, &c.StorySlug, &c.StoryTitle, &c.Name, &c.Email, &c.Body, &c.Status, &c.IPHash, &c.Commenter, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = FromUnix(created)
	return &c, nil
}

// Comments returns the approved comments of story id, oldest first.
func (r Reads) Comments(ctx context.Context, storyID int64) ([]*news.Comment, error) {
	return QueryAll(ctx, r.Q, scanComment, "SELECT "+commentColumns+` FROM comments c JOIN stories s ON s.id = c.story_id
		WHERE c.story_id = ? AND c.status = 'approved' ORDER BY c.created_at, c.id`, storyID)
}

// ModerationQueue returns comments with the given status, oldest first,
// each with its commenter's history.
func (r Reads) ModerationQueue(ctx context.Context, status string, limit int) ([]*news.Comment, error) {
	list, err := QueryAll(ctx, r.Q, scanComment, "SELECT "+commentColumns+` FROM comments c JOIN stories s ON s.id = c.story_id
		WHERE c.status = ? ORDER BY c.created_at, c.id LIMIT ?`, status, limit)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		// The browser that wrote it, else the email typed, else the address.
		key, val := "ip_hash", c.IPHash
		if c.Commenter != "" {
			key, val = "commenter", c.Commenter
		} else if c.Email != "" {
			key, val = "email", c.Email
		}
		if c.History, err = r.statusCounts(ctx, "SELECT status, count(*) FROM comments WHERE "+key+" = ? AND id != ? AND created_at <= ? GROUP BY status",
			val, c.ID, Unix(c.CreatedAt)); err != nil {
			return nil, fmt.Errorf("select commenter history: %w", err)
		}
	}
	return list, nil
}

// statusCounts runs query, which selects a status and a count, and
// returns the counts by status.
func (r Reads) statusCounts(ctx context.Context, query string, args ...any) (map[string]int, error) {
	return queryMap(ctx, r.Q, func(row Row) (status string, n int, err error) {
		return status, n, row.Scan(&status, &n)
	}, query, args...)
}

// CommentCounts returns how many comments have each status.
func (r Reads) CommentCounts(ctx context.Context) (map[string]int, error) {
	out, err := r.statusCounts(ctx, "SELECT status, count(*) FROM comments GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("count comments: %w", err)
	}
	return out, nil
}

// PendingComments returns how many comments await moderation.
func (r Reads) PendingComments(ctx context.Context) (int, error) {
	var n int
	if err := r.Q.QueryRow(ctx, "SELECT count(*) FROM comments WHERE status = 'pending'").Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending comments: %w", err)
	}
	return n, nil
}

// CommentSettings returns the site's comment rules.
func (r Reads) CommentSettings(ctx context.Context) (news.CommentSettings, error) {
	vals, err := r.Settings(ctx, "comments_open", "comments_close_after_days", "comments_auto_approve")
	if err != nil {
		return news.CommentSettings{}, err
	}
	days, _ := strconv.Atoi(vals[1])
	return news.CommentSettings{Open: vals[0] == "1", CloseAfterDays: days, AutoApprove: vals[2] == "1"}, nil
}

// TimeZone returns the newsroom's time zone, an IANA name such as
// Europe/Prague; "UTC" until one is set. Times are stored in UTC and
// shown in this zone.
func (r Reads) TimeZone(ctx context.Context) (string, error) {
	vals, err := r.Settings(ctx, "time_zone")
	if err != nil {
		return "", err
	}
	if vals[0] == "" {
		return "UTC", nil
	}
	return vals[0], nil
}

// Settings returns the value of each of keys in the settings table, ""
// for one not set.
func (r Reads) Settings(ctx context.Context, keys ...string) ([]string, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	type kv struct{ k, v string }
	rows, err := QueryAll(ctx, r.Q, func(row Row) (kv, error) {
		var p kv
		return p, row.Scan(&p.k, &p.v)
	}, "SELECT key, value FROM settings WHERE key IN (?"+strings.Repeat(", ?", len(keys)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		for _, p := range rows {
			if p.k == k {
				out[i] = p.v
			}
		}
	}
	return out, nil
}

// SaveCommentSettings checks and saves the site's comment rules in the
// write transaction x.
func SaveCommentSettings(ctx context.Context, x Execer, set news.CommentSettings) error {
	if set.CloseAfterDays < 0 || set.CloseAfterDays > 36500 {
		return news.Errorf(news.EINVALID, "Days must be a whole number from 0 to 36500.")
	}
	b := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	return saveSettings(ctx, x, map[string]string{"comments_open": b(set.Open),
		"comments_close_after_days": strconv.Itoa(set.CloseAfterDays), "comments_auto_approve": b(set.AutoApprove)})
}

// CheckTimeZone says whether name is an IANA time zone the time package
// knows, as the newsroom's time zone must be.
func CheckTimeZone(name string) error {
	if _, err := time.LoadLocation(name); err != nil || name == "" || name == "Local" {
		e := news.Errorf(news.EINVALID, "Enter a time zone by its name, such as Europe/Prague or America/New_York.")
		e.Fields = map[string]string{"time_zone": e.Message}
		return e
	}
	return nil
}

// SaveTimeZone saves the newsroom's time zone (checked by CheckTimeZone)
// in the write transaction x.
func SaveTimeZone(ctx context.Context, x Execer, name string) error {
	return saveSettings(ctx, x, map[string]string{"time_zone": name})
}

// saveSettings sets each key of set to its value.
func saveSettings(ctx context.Context, x Execer, set map[string]string) error {
	for k, v := range set {
		if _, err := x.ExecRows(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", k, v); err != nil {
			return fmt.Errorf("save setting %s: %w", k, err)
		}
	}
	return nil
}
