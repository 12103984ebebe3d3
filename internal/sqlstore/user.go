package sqlstore

import (
	"context"
	"fmt"

	"newsdesk/internal/news"
)

// UserColumns are the columns of users ScanUser reads.
const UserColumns = "id, email, name, role, password_hash, disabled, created_at"

// ScanUser scans a row of UserColumns.
func ScanUser(row Row) (*news.User, error) {
	var u news.User
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = FromUnix(created)
	return &u, nil
}

// UserCount returns the number of users.
func (r Reads) UserCount(ctx context.Context) (int, error) {
	var n int
	if err := r.Q.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// User returns the user with the given id.
func (r Reads) User(ctx context.Context, id int64) (*news.User, error) {
	u, err := ScanUser(r.Q.QueryRow(ctx, "SELECT "+UserColumns+" FROM users WHERE id = ?", id))
	return u, NotFound(err, "User %d not found.", id)
}
