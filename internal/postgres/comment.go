package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"newsdesk/internal/news"
)

const commentColumns = `c.id, c.story_id, s.slug, s.title, c.name, c.email, c.body, c.status, c.ip_hash, c.commenter, c.created_at`

func scanComment(row scanner) (*news.Comment, error) {
	var c news.Comment
	var created int64
	if err := row.Scan(&c.ID, &c.StoryID, &c.StorySlug, &c.StoryTitle, &c.Name, &c.Email, &c.Body, &c.Status, &c.IPHash, &c.Commenter, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromUnix(created)
	return &c, nil
}

func (db *DB) queryComments(ctx context.Context, query string, args ...any) ([]*news.Comment, error) {
	return queryAll(ctx, db.pool, scanComment, query, args...)
}

// Comments returns the approved comments of story id, oldest first.
func (db *DB) Comments(ctx context.Context, storyID int64) ([]*news.Comment, error) {
	return db.queryComments(ctx, "SELECT "+commentColumns+` FROM comments c JOIN stories s ON s.id = c.story_id
		WHERE c.story_id = ? AND c.status = 'approved' ORDER BY c.created_at, c.id`, storyID)
}

// AddComment stores a reader's comment: pending, or approved at once when
// the settings allow it and the same commenter (the reader's browser, see
// news.Comment.Commenter) has an approved comment. A typed email earns no
// trust: anyone can type anyone's.
func (db *DB) AddComment(ctx context.Context, c *news.Comment, autoApprove bool) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.transact(ctx, func(w *tx) error {
		c.Status = news.CommentPending
		if autoApprove && c.Commenter != "" {
			var n int
			if err := w.queryRow(ctx, "SELECT count(*) FROM comments WHERE commenter = ? AND status = 'approved'", c.Commenter).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				c.Status = news.CommentApproved
			}
		}
		c.CreatedAt = db.Now().UTC()
		err := w.queryRow(ctx, `INSERT INTO comments (story_id, name, email, body, status, ip_hash, commenter, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.StoryID, c.Name, c.Email, c.Body, c.Status, c.IPHash, c.Commenter, unix(c.CreatedAt)).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("insert comment: %w", err)
		}
		// A pending comment shows nowhere until it is approved.
		w.quiet = c.Status == news.CommentPending
		w.keys.Add(news.StoryKey(c.StoryID))
		return recount(ctx, w, []int64{c.StoryID})
	})
}

// recount refreshes the approved-comment counts of the stories.
func recount(ctx context.Context, w *tx, stories []int64) error {
	for _, id := range stories {
		if _, err := w.exec(ctx, `UPDATE stories SET comment_count =
			(SELECT count(*) FROM comments WHERE story_id = ? AND status = 'approved') WHERE id = ?`, id, id); err != nil {
			return fmt.Errorf("count comments of story %d: %w", id, err)
		}
	}
	return nil
}

// ModerationQueue returns comments with the given status, oldest first,
// each with its commenter's history.
func (db *DB) ModerationQueue(ctx context.Context, status string, limit int) ([]*news.Comment, error) {
	list, err := db.queryComments(ctx, "SELECT "+commentColumns+` FROM comments c JOIN stories s ON s.id = c.story_id
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
		if c.History, err = db.statusCounts(ctx, "SELECT status, count(*) FROM comments WHERE "+key+" = ? AND id != ? AND created_at <= ? GROUP BY status",
			val, c.ID, unix(c.CreatedAt)); err != nil {
			return nil, fmt.Errorf("select commenter history: %w", err)
		}
	}
	return list, nil
}

// statusCounts runs query, which selects a status and a count, and
// returns the counts by status.
func (db *DB) statusCounts(ctx context.Context, query string, args ...any) (map[string]int, error) {
	type count struct {
		status string
		n      int
	}
	rows, err := queryAll(ctx, db.pool, func(row scanner) (count, error) {
		var c count
		return c, row.Scan(&c.status, &c.n)
	}, query, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.status] = r.n
	}
	return out, nil
}

// CommentCounts returns how many comments have each status.
func (db *DB) CommentCounts(ctx context.Context) (map[string]int, error) {
	out, err := db.statusCounts(ctx, "SELECT status, count(*) FROM comments GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("count comments: %w", err)
	}
	return out, nil
}

// ModerateComments sets the status of the comments with the given ids.
func (db *DB) ModerateComments(ctx context.Context, ids []int64, status string) error {
	switch status {
	case news.CommentApproved, news.CommentRejected, news.CommentSpam, news.CommentPending:
	default:
		return news.Errorf(news.EINVALID, "Unknown moderation action.")
	}
	if len(ids) == 0 {
		return news.Errorf(news.EINVALID, "Select at least one comment.")
	}
	return db.transact(ctx, func(w *tx) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"
		stories, err := w.queryIDs(ctx, "SELECT DISTINCT story_id FROM comments WHERE id IN "+in, args...)
		if err != nil {
			return err
		}
		if _, err := w.exec(ctx, "UPDATE comments SET status = ? WHERE id IN "+in, append([]any{status}, args...)...); err != nil {
			return fmt.Errorf("moderate comments: %w", err)
		}
		for _, id := range stories {
			w.keys.Add(news.StoryKey(id)) // its comments and their count
		}
		return recount(ctx, w, stories)
	})
}

// CommentSettings returns the site's comment rules.
func (db *DB) CommentSettings(ctx context.Context) (news.CommentSettings, error) {
	vals, err := db.settings(ctx, "comments_open", "comments_close_after_days", "comments_auto_approve")
	if err != nil {
		return news.CommentSettings{}, err
	}
	days, _ := strconv.Atoi(vals[1])
	return news.CommentSettings{Open: vals[0] == "1", CloseAfterDays: days, AutoApprove: vals[2] == "1"}, nil
}

// SetCommentSettings saves the site's comment rules.
func (db *DB) SetCommentSettings(ctx context.Context, set news.CommentSettings) error {
	if set.CloseAfterDays < 0 || set.CloseAfterDays > 36500 {
		return news.Errorf(news.EINVALID, "Days must be a whole number from 0 to 36500.")
	}
	b := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	return db.transact(ctx, func(w *tx) error {
		for k, v := range map[string]string{"comments_open": b(set.Open), "comments_close_after_days": strconv.Itoa(set.CloseAfterDays),
			"comments_auto_approve": b(set.AutoApprove)} {
			if _, err := w.exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", k, v); err != nil {
				return fmt.Errorf("save setting %s: %w", k, err)
			}
		}
		return nil
	})
}

func (db *DB) settings(ctx context.Context, keys ...string) ([]string, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	type kv struct{ k, v string }
	rows, err := queryAll(ctx, db.pool, func(row scanner) (kv, error) {
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

// Secret returns the site's secret key (for signing form tokens and
// hashing addresses), made on first use and kept in the database so it
// survives restarts.
func (db *DB) Secret(ctx context.Context) ([]byte, error) {
	vals, err := db.settings(ctx, "secret")
	if err != nil {
		return nil, err
	}
	if vals[0] == "" {
		b := make([]byte, 32)
		rand.Read(b)
		if _, err := db.pool.Exec(ctx, "INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING", hex.EncodeToString(b)); err != nil {
			return nil, fmt.Errorf("save secret: %w", err)
		}
		if vals, err = db.settings(ctx, "secret"); err != nil {
			return nil, err
		}
	}
	return hex.DecodeString(vals[0])
}

// PendingComments returns how many comments await moderation.
func (db *DB) PendingComments(ctx context.Context) (int, error) {
	var n int
	if err := db.queryRow(ctx, "SELECT count(*) FROM comments WHERE status = 'pending'").Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending comments: %w", err)
	}
	return n, nil
}

// TimeZone returns the newsroom's time zone, an IANA name such as
// Europe/Prague; "UTC" until one is set. Times are stored in UTC and
// shown in this zone.
func (db *DB) TimeZone(ctx context.Context) (string, error) {
	vals, err := db.settings(ctx, "time_zone")
	if err != nil {
		return "", err
	}
	if vals[0] == "" {
		return "UTC", nil
	}
	return vals[0], nil
}

// SetTimeZone sets the newsroom's time zone, which must be an IANA name
// the time package knows.
func (db *DB) SetTimeZone(ctx context.Context, name string) error {
	if _, err := time.LoadLocation(name); err != nil || name == "" || name == "Local" {
		e := news.Errorf(news.EINVALID, "Enter a time zone by its name, such as Europe/Prague or America/New_York.")
		e.Fields = map[string]string{"time_zone": e.Message}
		return e
	}
	return db.transact(ctx, func(w *tx) error {
		_, err := w.exec(ctx, "INSERT INTO settings (key, value) VALUES ('time_zone', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", name)
		if err != nil {
			return fmt.Errorf("save time zone: %w", err)
		}
		return nil
	})
}
