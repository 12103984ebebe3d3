package storetest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/news"
)

// Comments: held for moderation, approved at once for a browser with an
// approved comment when the settings say so, counted on the story once
// approved, with each commenter's history for the moderator.
func TestCommentsAndModeration(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importFile(t, db, fixture)
		s, err := db.StoryBySlug(ctx, "vltava-floods-prague-old-town-as-river-bursts-its-banks")
		if err != nil {
			t.Fatal(err)
		}
		add := func(name, body, commenter string, auto bool) *news.Comment {
			t.Helper()
			c := &news.Comment{StoryID: s.ID, Name: name, Body: body, Email: "r@example.com", IPHash: "ip1", Commenter: commenter}
			if err := db.AddComment(ctx, c, auto); err != nil {
				t.Fatal(err)
			}
			return c
		}
		first := add("Reader", "A first comment.", "browser-a", true)
		if first.Status != news.CommentPending || first.ID == 0 {
			t.Fatalf("first comment: status %q id %d, want pending with an id", first.Status, first.ID)
		}
		if err := db.AddComment(ctx, &news.Comment{StoryID: s.ID, Name: "", Body: "x"}, false); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("invalid comment: %v, want EINVALID", err)
		}
		if n, err := db.PendingComments(ctx); err != nil || n != 1 {
			t.Errorf("PendingComments = %d, %v; want 1", n, err)
		}
		if err := db.ModerateComments(ctx, []int64{first.ID}, news.CommentApproved); err != nil {
			t.Fatal(err)
		}
		if err := db.ModerateComments(ctx, nil, news.CommentApproved); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("moderating nothing: %v", err)
		}
		// The same browser is trusted now; another is not, whatever email it types.
		if c := add("Reader", "Second thoughts.", "browser-a", true); c.Status != news.CommentApproved {
			t.Errorf("second comment of an approved browser: %q, want approved", c.Status)
		}
		if c := add("Reader", "Not me.", "browser-b", true); c.Status != news.CommentPending {
			t.Errorf("comment of another browser: %q, want pending", c.Status)
		}
		if c := add("Reader", "No auto approval.", "browser-a", false); c.Status != news.CommentPending {
			t.Errorf("comment without auto approval: %q, want pending", c.Status)
		}
		list, err := db.Comments(ctx, s.ID)
		if err != nil || len(list) != 2 || list[0].Body != "A first comment." || list[0].StorySlug != s.Slug {
			t.Fatalf("Comments = %v, %v; want the two approved, oldest first", list, err)
		}
		got, _ := db.StoryBySlug(ctx, s.Slug)
		if got.CommentCount != 2 {
			t.Errorf("comment count %d, want 2", got.CommentCount)
		}
		queue, err := db.ModerationQueue(ctx, news.CommentPending, 10)
		if err != nil || len(queue) != 2 {
			t.Fatalf("ModerationQueue = %d comments, %v; want 2", len(queue), err)
		}
		for _, c := range queue {
			if c.Commenter == "browser-a" && c.History[news.CommentApproved] != 2 {
				t.Errorf("history of browser-a: %v, want 2 approved", c.History)
			}
		}
		counts, err := db.CommentCounts(ctx)
		if err != nil || counts[news.CommentApproved] != 2 || counts[news.CommentPending] != 2 {
			t.Errorf("CommentCounts = %v, %v", counts, err)
		}
		if err := db.ModerateComments(ctx, []int64{first.ID}, news.CommentSpam); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.StoryBySlug(ctx, s.Slug); got.CommentCount != 1 {
			t.Errorf("comment count after marking spam: %d, want 1", got.CommentCount)
		}
	})
}

// Settings: comment rules, the time zone, the site's secret and feed
// identity, each kept once and read back the same.
func TestSettings(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		set, err := db.CommentSettings(ctx)
		if err != nil || !set.Open || set.CloseAfterDays != 30 || set.AutoApprove {
			t.Errorf("default comment settings = %+v, %v", set, err)
		}
		want := news.CommentSettings{Open: false, CloseAfterDays: 7, AutoApprove: true}
		if err := db.SetCommentSettings(ctx, want); err != nil {
			t.Fatal(err)
		}
		if got, err := db.CommentSettings(ctx); err != nil || got != want {
			t.Errorf("comment settings = %+v, %v; want %+v", got, err, want)
		}
		if err := db.SetCommentSettings(ctx, news.CommentSettings{CloseAfterDays: -1}); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("negative days: %v", err)
		}
		if tz, err := db.TimeZone(ctx); err != nil || tz != "UTC" {
			t.Errorf("TimeZone = %q, %v; want UTC", tz, err)
		}
		if err := db.SetTimeZone(ctx, "Europe/Prague"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetTimeZone(ctx, "Mars/Olympus"); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("unknown zone: %v", err)
		}
		if tz, _ := db.TimeZone(ctx); tz != "Europe/Prague" {
			t.Errorf("TimeZone = %q after setting it", tz)
		}
		a, err := db.Secret(ctx)
		if err != nil || len(a) != 32 {
			t.Fatalf("Secret = %d bytes, %v", len(a), err)
		}
		other := reopenOf(t, db)
		if b, err := other.Secret(ctx); err != nil || !bytes.Equal(a, b) {
			t.Errorf("another connection's secret differs: %v", err)
		}
		id, minted, err := other.FeedIdentity(ctx, "news.example")
		if err != nil || !strings.HasPrefix(id, "tag:news.example,2026-03-16:") || !minted.Equal(now) {
			t.Errorf("FeedIdentity = %q %v, %v", id, minted, err)
		}
		if again, _, _ := db.FeedIdentity(ctx, "elsewhere.example"); again != id {
			t.Errorf("FeedIdentity changed: %q, then %q", id, again)
		}
	})
}

// Users: emails unique whatever their case, found whatever their case;
// disabling a user or changing the password ends the user's sessions.
func TestUsersAndSessions(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		u := &news.User{Email: "Ed@Example.com", Name: "Ed", Role: news.RoleAdmin}
		if err := db.CreateUser(ctx, u, "a fine password"); err != nil {
			t.Fatal(err)
		}
		dup := &news.User{Email: "ed@example.COM", Name: "Other Ed", Role: news.RoleEditor}
		if err := db.CreateUser(ctx, dup, "a fine password"); news.FieldErrors(err)["email"] == "" {
			t.Errorf("same email in another case: %v, want an email field error", err)
		}
		if got, err := db.UserByEmail(ctx, "ED@example.com"); err != nil || got.ID != u.ID {
			t.Errorf("UserByEmail in another case = %v, %v", got, err)
		}
		if n, err := db.UserCount(ctx); err != nil || n != 1 {
			t.Errorf("UserCount = %d, %v", n, err)
		}
		token, err := db.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.SessionUser(ctx, token); err != nil || got.ID != u.ID {
			t.Fatalf("SessionUser = %v, %v", got, err)
		}
		if err := db.SetUserAccess(ctx, u.ID, news.RoleEditor, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, token); news.ErrorCode(err) != news.EUNAUTHORIZED {
			t.Errorf("session of a disabled user: %v, want EUNAUTHORIZED", err)
		}
		if err := db.SetUserAccess(ctx, u.ID, news.RoleAdmin, false); err != nil {
			t.Fatal(err)
		}
		token, _ = db.CreateSession(ctx, u.ID)
		if err := db.SetPassword(ctx, u.ID, "another fine password"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, token); news.ErrorCode(err) != news.EUNAUTHORIZED {
			t.Errorf("session after a password change: %v, want EUNAUTHORIZED", err)
		}
		if err := db.SetUserAccess(ctx, 999, news.RoleAdmin, false); news.ErrorCode(err) != news.ENOTFOUND {
			t.Errorf("SetUserAccess of no one: %v", err)
		}
		token, _ = db.CreateSession(ctx, u.ID)
		setClock(db, func() time.Time { return now.Add(13 * time.Hour) })
		if _, err := db.SessionUser(ctx, token); news.ErrorCode(err) != news.EUNAUTHORIZED {
			t.Errorf("a session past its absolute lifetime: %v", err)
		}
		users, err := db.Users(ctx)
		if err != nil || len(users) != 1 || users[0].Role != news.RoleAdmin {
			t.Errorf("Users = %v, %v", users, err)
		}
	})
}
