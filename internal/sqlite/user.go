package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"newsdesk/internal/auth"
	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// CreateUser adds u with the given password, hashed.
func (db *DB) CreateUser(ctx context.Context, u *news.User, password string) error {
	if err := u.Validate(password, true); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u.PasswordHash, u.CreatedAt = hash, db.Now().UTC().Truncate(time.Second)
	err = db.write.QueryRowContext(ctx, `INSERT INTO users (email, name, role, password_hash, disabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, u.Email, u.Name, u.Role, hash, u.Disabled, unix(u.CreatedAt)).Scan(&u.ID)
	if isUnique(err) {
		e := news.Errorf(news.EINVALID, "Please correct the highlighted fields.")
		e.Fields = map[string]string{"email": "A user with this email already exists."}
		return e
	} else if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// UserByEmail returns the user with the given email, case-insensitively.
func (db *DB) UserByEmail(ctx context.Context, email string) (*news.User, error) {
	u, err := sqlstore.ScanUser(db.readQueryRow(ctx, "SELECT "+sqlstore.UserColumns+" FROM users WHERE email = ?", email))
	return u, notFound(err, "User %q not found.", email)
}

// Users returns every user by name.
func (db *DB) Users(ctx context.Context) ([]*news.User, error) {
	return queryAll(ctx, db, sqlstore.ScanUser, "SELECT "+sqlstore.UserColumns+" FROM users ORDER BY name, id")
}

// SetUserAccess sets user id's role and disabled flag, and nothing else:
// a password changed meanwhile stays changed. Disabling a user ends the
// user's sessions.
func (db *DB) SetUserAccess(ctx context.Context, id int64, role string, disabled bool) error {
	if role != news.RoleAdmin && role != news.RoleEditor {
		e := news.Errorf(news.EINVALID, "Please correct the highlighted fields.")
		e.Fields = map[string]string{"role": "Role must be admin or editor."}
		return e
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE users SET role = ?, disabled = ? WHERE id = ?", role, disabled, id)
	if err != nil {
		return fmt.Errorf("update user %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update user %d: %w", id, err)
	} else if n == 0 {
		return news.Errorf(news.ENOTFOUND, "User %d not found.", id)
	}
	if disabled {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
			return fmt.Errorf("end sessions of user %d: %w", id, err)
		}
	}
	return tx.Commit()
}

// SetPassword sets user id's password, and nothing else: a role or
// disabled flag changed meanwhile stays changed. Every session of the
// user ends.
func (db *DB) SetPassword(ctx context.Context, id int64, password string) error {
	if msg := news.CheckPassword(password); msg != "" {
		e := news.Errorf(news.EINVALID, "Please correct the highlighted fields.")
		e.Fields = map[string]string{"password": msg}
		return e
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, id)
	if err != nil {
		return fmt.Errorf("update password of user %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update password of user %d: %w", id, err)
	} else if n == 0 {
		return news.Errorf(news.ENOTFOUND, "User %d not found.", id)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", id, err)
	}
	return tx.Commit()
}

// Session lifetimes.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
)

// CreateSession starts a session for user id and returns its token.
func (db *DB) CreateSession(ctx context.Context, userID int64) (string, error) {
	token := auth.NewToken()
	now := unix(db.Now())
	if _, err := db.write.ExecContext(ctx, "INSERT INTO sessions (id, user_id, created_at, seen_at) VALUES (?, ?, ?, ?)",
		auth.TokenID(token), userID, now, now); err != nil {
		return "", fmt.Errorf("insert session: %w", err)
	}
	return token, nil
}

// SessionUser returns the enabled user whose live session token is, and
// marks the session as used now. An idle or too old session is ended.
func (db *DB) SessionUser(ctx context.Context, token string) (*news.User, error) {
	id := auth.TokenID(token)
	now := db.Now()
	var userID, created, seen int64
	err := db.readQueryRow(ctx, "SELECT user_id, created_at, seen_at FROM sessions WHERE id = ?", id).
		Scan(&userID, &created, &seen)
	if err == sql.ErrNoRows {
		return nil, news.Errorf(news.EUNAUTHORIZED, "Please log in.")
	} else if err != nil {
		return nil, fmt.Errorf("select session: %w", err)
	}
	if now.Sub(fromUnix(seen)) > SessionIdle || now.Sub(fromUnix(created)) > SessionAbsolute {
		if err := db.EndSession(ctx, token); err != nil {
			return nil, err
		}
		return nil, news.Errorf(news.EUNAUTHORIZED, "Your session has expired. Please log in again.")
	}
	u, err := db.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, news.Errorf(news.EUNAUTHORIZED, "Please log in.")
	}
	// Renew at most once a minute: a write per page view would be waste.
	if now.Sub(fromUnix(seen)) > time.Minute {
		if _, err := db.write.ExecContext(ctx, "UPDATE sessions SET seen_at = ? WHERE id = ?", unix(now), id); err != nil {
			return nil, fmt.Errorf("renew session: %w", err)
		}
	}
	return u, nil
}

// EndSession ends the session with the given token.
func (db *DB) EndSession(ctx context.Context, token string) error {
	if _, err := db.write.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", auth.TokenID(token)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
