package news

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Comment statuses.
const (
	CommentPending  = "pending"
	CommentApproved = "approved"
	CommentRejected = "rejected"
	CommentSpam     = "spam"
)

// Comment is a reader's comment on a story.
type Comment struct {
	ID         int64
	StoryID    int64
	StorySlug  string
	StoryTitle string
	Name       string
	Email      string // stored for moderation, never shown
	Body       string
	Status     string
	IPHash     string
	// Commenter identifies the reader's browser: the hash of the id in
	// its signed commenter cookie ("" for comments older than it).
	Commenter string
	CreatedAt time.Time
	// History is how many earlier comments the same commenter (browser,
	// else email, else address) left, by status; filled for moderation.
	History map[string]int
}

// Validate checks what a reader typed.
func (c *Comment) Validate() error {
	f := map[string]string{}
	c.Name = OneSpaced(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	c.Body = strings.TrimSpace(strings.ReplaceAll(c.Body, "\r\n", "\n"))
	if n := utf8.RuneCountInString(c.Name); n < 1 || n > 60 {
		f["name"] = "Enter a name of 1 to 60 characters."
	}
	if n := utf8.RuneCountInString(c.Body); n < 2 || n > 5000 {
		f["body"] = "Write a comment of 2 to 5,000 characters."
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || len(c.Email) > 254 {
			f["email"] = "Enter an email address like name@example.com, or leave it blank."
		}
	}
	if len(f) > 0 {
		e := Errorf(EINVALID, "Your comment was not sent. Please correct the fields marked below.")
		e.Fields = f
		return e
	}
	return nil
}

// CommentSettings are the site's rules for comments.
type CommentSettings struct {
	Open           bool // site-wide switch
	CloseAfterDays int  // stories older than this take no comments; 0 never closes
	AutoApprove    bool // a browser that wrote an approved comment skips the queue
}

// CommentsOpen reports whether s takes comments at now under set.
func (set CommentSettings) CommentsOpen(s *Story, now time.Time) bool {
	if !set.Open || s.CommentsClosed {
		return false
	}
	return set.CloseAfterDays <= 0 || now.Sub(s.PublishedAt) < time.Duration(set.CloseAfterDays)*24*time.Hour
}
