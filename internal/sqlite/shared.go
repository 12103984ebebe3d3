package sqlite

import (
	"context"
	"fmt"
	"time"
)

// TakeLimit records an event for key at now unless max events of key are
// within window before now, and reports whether it recorded one. It runs
// in one write transaction: the single writer makes the count and the
// insert one step.
func (db *DB) TakeLimit(ctx context.Context, key string, now time.Time, window time.Duration, max int) (bool, error) {
	at := now.UnixNano()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("take limit: %w", err)
	}
	defer tx.Rollback()
	// Every expired event goes, not only key's: a flood of distinct keys
	// (addresses) leaves no lasting rows, and the index on expires makes
	// finding none cheap.
	if _, err := tx.ExecContext(ctx, "DELETE FROM limit_events WHERE expires <= ?", at); err != nil {
		return false, fmt.Errorf("prune limits: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM limit_events WHERE key = ? AND expires > ?", key, at).Scan(&n); err != nil {
		return false, fmt.Errorf("count limit: %w", err)
	}
	if n >= max {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO limit_events (key, at, expires) VALUES (?, ?, ?)",
		key, at, at+int64(window)); err != nil {
		return false, fmt.Errorf("record limit: %w", err)
	}
	return true, tx.Commit()
}

// ReleaseLimit gives back one event of key taken at at.
func (db *DB) ReleaseLimit(ctx context.Context, key string, at time.Time) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM limit_events WHERE id =
		(SELECT id FROM limit_events WHERE key = ? AND at = ? LIMIT 1)`, key, at.UnixNano())
	if err != nil {
		return fmt.Errorf("release limit: %w", err)
	}
	return nil
}

// ResetLimit forgets every event of key.
func (db *DB) ResetLimit(ctx context.Context, key string) error {
	if _, err := db.write.ExecContext(ctx, "DELETE FROM limit_events WHERE key = ?", key); err != nil {
		return fmt.Errorf("reset limit: %w", err)
	}
	return nil
}

// AddSetupToken stores a one-time setup token's id until expires. Tokens
// pile up only while the site has no user: one per start of a node.
func (db *DB) AddSetupToken(ctx context.Context, id string, expires time.Time) error {
	if _, err := db.write.ExecContext(ctx, "INSERT INTO setup_tokens (id, expires) VALUES (?, ?)", id, unix(expires)); err != nil {
		return fmt.Errorf("add setup token: %w", err)
	}
	return nil
}

// SetupTokenValid reports whether id is a stored setup token live at now.
func (db *DB) SetupTokenValid(ctx context.Context, id string, now time.Time) (bool, error) {
	var n int
	if err := db.readQueryRow(ctx, "SELECT count(*) FROM setup_tokens WHERE id = ? AND expires > ?", id, unix(now)).Scan(&n); err != nil {
		return false, fmt.Errorf("check setup token: %w", err)
	}
	return n > 0, nil
}

// EndSetup forgets every setup token.
func (db *DB) EndSetup(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, "DELETE FROM setup_tokens"); err != nil {
		return fmt.Errorf("end setup: %w", err)
	}
	return nil
}
