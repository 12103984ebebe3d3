package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/auth"
	"newsdesk/internal/demo"
	"newsdesk/internal/news"
	"newsdesk/internal/postgres"
	"newsdesk/internal/postgres/pgtest"
	"newsdesk/internal/sqlite"
)

// A demo site with a user, a session, a comment, a feed, an edited story
// and pictures is copied whole, and a second run changes nothing but what
// changed in the file meanwhile.
func TestMigrateCopiesASiteAndRunsAgain(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "site.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	pics := pictures(db, newFetcher(false))
	dk, err := openDesk(ctx, db, pics)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := demo.Load(ctx, dk, pics, time.Now()); err != nil || n == 0 {
		t.Fatalf("demo: %d, %v", n, err)
	}
	u := &news.User{Email: "ed@example.com", Name: "Ed", Role: news.RoleAdmin}
	if err := db.CreateUser(ctx, u, "a long password"); err != nil {
		t.Fatal(err)
	}
	token, err := db.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := db.Stories(ctx, news.StoryFilter{Page: news.Page{Size: 1}})
	if err != nil || len(list) == 0 {
		t.Fatalf("stories: %v", err)
	}
	st, err := db.StoryByID(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	st.Title += " (updated)"
	if err := dk.UpdateStory(ctx, st, st.Revision, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.AddComment(ctx, &news.Comment{StoryID: st.ID, Name: "Reader", Email: "r@example.com", Body: "Thanks for this."}, false); err != nil {
		t.Fatal(err)
	}
	f := &news.Feed{Source: news.Source{Name: "Wire"}, URL: "https://wire.example/feed.xml", Interval: time.Hour}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	db.Close()

	code, out, err := runCmd(t, "", "migrate", "--from", path, "--to", dsn)
	if err != nil || code != 0 {
		t.Fatalf("migrate = %d, %v:\n%s", code, err, out)
	}
	if !strings.Contains(out, "verified") {
		t.Errorf("migrate did not say it verified the counts:\n%s", out)
	}
	for _, table := range []string{"stories", "story_revisions", "comments", "users", "sessions", "media", "media_files", "feeds", "clusters", "settings"} {
		if !regexp.MustCompile(`(?m)^` + table + ` +[1-9][0-9]* rows copied`).MatchString(out) {
			t.Errorf("migrate copied no %s:\n%s", table, out)
		}
	}

	// The copy serves: the session logs in, the story reads back.
	pg, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	// The file's change log counts the file's versions, not the
	// database's: none of it is copied (the copy's own version has no
	// row: it changed everything).
	var logged int
	if err := pg.Pool().QueryRow(ctx, "SELECT count(*) FROM changes").Scan(&logged); err != nil || logged != 0 {
		t.Errorf("change log rows after the copy: %d, %v; want none", logged, err)
	}
	var slug, title string
	if err := pg.Pool().QueryRow(ctx, "SELECT slug, title FROM stories WHERE id = $1", st.ID).Scan(&slug, &title); err != nil {
		t.Fatal(err)
	}
	if slug != st.Slug || title != st.Title {
		t.Errorf("copied story %d = %q %q, want %q %q", st.ID, slug, title, st.Slug, st.Title)
	}
	got, err := pg.StoryBySlug(ctx, st.Slug)
	if err != nil || got.Title != st.Title || got.Body == "" {
		t.Fatalf("the PostgreSQL store reads the copied story as %+v, %v", got, err)
	}
	// Search works on the copy: its vectors were computed.
	word := strings.Fields(strings.Trim(st.Title, " ()"))[0]
	res, err := pg.Search(ctx, news.SearchFilter{Query: news.ParseQuery(word), Page: news.Page{Number: 1, Size: 50}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range res.Stories {
		found = found || r.ID == st.ID
	}
	if !found {
		t.Errorf("search for %q on the copy does not find %q (%d results)", word, st.Title, res.Total)
	}
	var users int
	if err := pg.Pool().QueryRow(ctx, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'ed@example.com'").Scan(&users); err != nil || users != 1 {
		t.Errorf("session of the copied user: %d, %v", users, err)
	}
	var sessions int
	if err := pg.Pool().QueryRow(ctx, "SELECT count(*) FROM sessions WHERE id = $1", auth.TokenID(token)).Scan(&sessions); err != nil || sessions != 1 {
		t.Errorf("the copied session's id: %d, %v", sessions, err)
	}

	// Again, after a new comment in the file: one more comment, nothing doubled.
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddComment(ctx, &news.Comment{StoryID: st.ID, Name: "Reader", Email: "r@example.com", Body: "And a second thought."}, false); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, err = runCmd(t, "", "migrate", "--from", path, "--to", dsn)
	if err != nil || code != 0 {
		t.Fatalf("second migrate = %d, %v:\n%s", code, err, out)
	}
	var comments int
	if err := pg.Pool().QueryRow(ctx, "SELECT count(*) FROM comments").Scan(&comments); err != nil || comments != 2 {
		t.Errorf("comments after the second run = %d, %v; want 2", comments, err)
	}
}
