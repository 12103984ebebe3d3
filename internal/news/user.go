package news

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Roles.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
)

// Password length limits.
const (
	MinPassword = 8
	MaxPassword = 256
)

// User is someone who works in the newsroom.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         string
	Disabled     bool
	PasswordHash string
	CreatedAt    time.Time
}

// IsAdmin reports whether u may manage users.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// Validate checks u's fields, and password when it is not empty or new
// is true.
func (u *User) Validate(password string, isNew bool) error {
	f := map[string]string{}
	u.Email = strings.TrimSpace(u.Email)
	u.Name = OneSpaced(u.Name)
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || len(u.Email) > 254 {
		f["email"] = "Enter an email address like name@example.com."
	}
	if n := utf8.RuneCountInString(u.Name); n == 0 || n > 100 {
		f["name"] = "Name is required (at most 100 characters)."
	}
	if u.Role != RoleAdmin && u.Role != RoleEditor {
		f["role"] = "Role must be admin or editor."
	}
	if isNew || password != "" {
		if msg := CheckPassword(password); msg != "" {
			f["password"] = msg
		}
	}
	if len(f) > 0 {
		e := Errorf(EINVALID, "Please correct the highlighted fields.")
		e.Fields = f
		return e
	}
	return nil
}

// CheckPassword returns why password is unacceptable, or "".
func CheckPassword(password string) string {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPassword:
		return "Use at least 8 characters."
	case n > MaxPassword:
		return "Use at most 256 characters."
	}
	return ""
}

// Revision is one saved version of a story.
type Revision struct {
	ID        int64
	StoryID   int64
	Number    int
	UserName  string
	CreatedAt time.Time
	Story     Story // the editable fields as saved
}

// AdminFilter selects stories in the newsroom's list.
type AdminFilter struct {
	Query       Query
	Status      string // "" for all
	SectionSlug string
	Trash       bool
	Sort        string // "updated" (default), "published" or "title"
	Page        Page
}

// AdminSorts are the orders of the newsroom's story list, by Sort value.
var AdminSorts = []string{"updated", "published", "title"}
