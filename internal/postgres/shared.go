package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TakeLimit records an event for key at now unless max events of key are
// within window before now, and reports whether it recorded one. Nodes
// take a transaction-scoped advisory lock on the key first, so that the
// count and the insert are one step across every node.
func (db *DB) TakeLimit(ctx context.Context, key string, now time.Time, window time.Duration, max int) (bool, error) {
	key = textArg(key) // keys name what a client sent: an email, an address
	at := now.UnixNano()
	ok := false
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('newsdesk limit ' || $1))", key); err != nil {
			return err
		}
		// Expired events go, of any key, a batch at a time, passing over
		// rows another node is deleting: a flood of distinct keys
		// (addresses) leaves no lasting rows.
		if _, err := tx.Exec(ctx, `DELETE FROM limit_events WHERE id IN (
			SELECT id FROM limit_events WHERE expires <= $1 LIMIT 100 FOR UPDATE SKIP LOCKED)`, at); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM limit_events WHERE key = $1 AND expires > $2", key, at).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return nil
		}
		ok = true
		_, err := tx.Exec(ctx, "INSERT INTO limit_events (key, at, expires) VALUES ($1, $2, $3)", key, at, at+int64(window))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("take limit: %w", err)
	}
	return ok, nil
}

// ReleaseLimit gives back one event of key taken at at.
func (db *DB) ReleaseLimit(ctx context.Context, key string, at time.Time) error {
	key = textArg(key) // keys name what a client sent: an email, an address
	if _, err := db.pool.Exec(ctx, `DELETE FROM limit_events WHERE id =
		(SELECT id FROM limit_events WHERE key = $1 AND at = $2 LIMIT 1)`, key, at.UnixNano()); err != nil {
		return fmt.Errorf("release limit: %w", err)
	}
	return nil
}

// ResetLimit forgets every event of key.
func (db *DB) ResetLimit(ctx context.Context, key string) error {
	key = textArg(key) // keys name what a client sent: an email, an address
	if _, err := db.pool.Exec(ctx, "DELETE FROM limit_events WHERE key = $1", key); err != nil {
		return fmt.Errorf("reset limit: %w", err)
	}
	return nil
}

// AddSetupToken stores a one-time setup token's id until expires. Tokens
// pile up only while the site has no user: one per start of a node.
func (db *DB) AddSetupToken(ctx context.Context, id string, expires time.Time) error {
	if _, err := db.pool.Exec(ctx, "INSERT INTO setup_tokens (id, expires) VALUES ($1, $2)", id, unix(expires)); err != nil {
		return fmt.Errorf("add setup token: %w", err)
	}
	return nil
}

// SetupTokenValid reports whether id is a stored setup token live at now.
func (db *DB) SetupTokenValid(ctx context.Context, id string, now time.Time) (bool, error) {
	var ok bool
	if err := db.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM setup_tokens WHERE id = $1 AND expires > $2)",
		id, unix(now)).Scan(&ok); err != nil {
		return false, fmt.Errorf("check setup token: %w", err)
	}
	return ok, nil
}

// EndSetup forgets every setup token.
func (db *DB) EndSetup(ctx context.Context) error {
	if _, err := db.pool.Exec(ctx, "DELETE FROM setup_tokens"); err != nil {
		return fmt.Errorf("end setup: %w", err)
	}
	return nil
}
