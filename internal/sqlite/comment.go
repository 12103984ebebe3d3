package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// Writes of comments and settings; both stores read them alike
// (internal/sqlstore).

// AddComment stores a reader's comment: pending, or approved at once when
// the settings allow it and the same commenter (the reader's browser, see
// news.Comment.Commenter) has an approved comment. A typed email earns no
// trust: anyone can type anyone's.
func (db *DB) AddComment(ctx context.Context, c *news.Comment, autoApprove bool) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.dataTx(ctx, func(w *writer) error {
		c.Status = news.CommentPending
		if autoApprove && c.Commenter != "" {
			var n int
			if err := w.tx.QueryRowContext(ctx, "SELECT count(*) FROM comments WHERE commenter = ? AND status = 'approved'", c.Commenter).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				c.Status = news.CommentApproved
			}
		}
		c.CreatedAt = db.Now().UTC()
		err := w.tx.QueryRowContext(ctx, `INSERT INTO comments (story_id, name, email, body, status, ip_hash, commenter, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.StoryID, c.Name, c.Email, c.Body, c.Status, c.IPHash, c.Commenter, unix(c.CreatedAt)).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("insert comment: %w", err)
		}
		// A pending comment shows nowhere until it is approved.
		w.quiet = c.Status == news.CommentPending
		w.keys.Add(news.StoryKey(c.StoryID))
		return recount(ctx, w.tx, []int64{c.StoryID})
	})
}

// recount refreshes the approved-comment counts of the stories.
func recount(ctx context.Context, tx *sql.Tx, stories []int64) error {
	for _, id := range stories {
		if _, err := tx.ExecContext(ctx, `UPDATE stories SET comment_count =
			(SELECT count(*) FROM comments WHERE story_id = ? AND status = 'approved') WHERE id = ?`, id, id); err != nil {
			return fmt.Errorf("count comments of story %d: %w", id, err)
		}
	}
	return nil
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
	return db.dataTx(ctx, func(w *writer) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"
		stories, err := scanIDs(w.tx.QueryContext(ctx, "SELECT DISTINCT story_id FROM comments WHERE id IN "+in, args...))
		if err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, "UPDATE comments SET status = ? WHERE id IN "+in, append([]any{status}, args...)...); err != nil {
			return fmt.Errorf("moderate comments: %w", err)
		}
		for _, id := range stories {
			w.keys.Add(news.StoryKey(id)) // its comments and their count
		}
		return recount(ctx, w.tx, stories)
	})
}

// SetCommentSettings saves the site's comment rules.
func (db *DB) SetCommentSettings(ctx context.Context, set news.CommentSettings) error {
	return db.dataTx(ctx, func(w *writer) error { return sqlstore.SaveCommentSettings(ctx, w, set) })
}

// Secret returns the site's secret key (for signing form tokens and
// hashing addresses), made on first use and kept in the database so it
// survives restarts.
func (db *DB) Secret(ctx context.Context) ([]byte, error) {
	vals, err := db.Settings(ctx, "secret")
	if err != nil {
		return nil, err
	}
	if vals[0] == "" {
		b := make([]byte, 32)
		rand.Read(b)
		if _, err := db.write.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ('secret', ?) ON CONFLICT (key) DO NOTHING", hex.EncodeToString(b)); err != nil {
			return nil, fmt.Errorf("save secret: %w", err)
		}
		if vals, err = db.Settings(ctx, "secret"); err != nil {
			return nil, err
		}
	}
	return hex.DecodeString(vals[0])
}

// SetTimeZone sets the newsroom's time zone, which must be an IANA name
// the time package knows.
func (db *DB) SetTimeZone(ctx context.Context, name string) error {
	if err := sqlstore.CheckTimeZone(name); err != nil {
		return err
	}
	return db.dataTx(ctx, func(w *writer) error { return sqlstore.SaveTimeZone(ctx, w, name) })
}
