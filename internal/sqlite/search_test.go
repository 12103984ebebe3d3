package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"newsdesk/internal/news"
)

func search(t *testing.T, db *DB, q string) news.SearchResult {
	t.Helper()
	res, err := db.Search(context.Background(), news.SearchFilter{Query: news.ParseQuery(q), Page: news.Page{Number: 1, Size: 10}})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res
}

func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"flood", `"old town"`, "a -b", `NEAR(a b)`, `*`, `"`, "x:y", "ünï", "-"} {
		f.Add(s)
	}
	db := newTestDB(f)
	importFile(f, db, "testdata/fixture.ndjson")
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := db.Search(context.Background(), news.SearchFilter{Query: news.ParseQuery(q), Page: news.Page{Number: 1, Size: 5}}); err != nil {
			t.Errorf("Search(%q) (fts %q): %v", q, news.ParseQuery(q).FTS(), err)
		}
	})
}

// TestOpenFillsMissingText: stories written before body_text existed get
// their text when the database is next opened (desk.Upgrade, which the
// program runs after Open), and their body is indexed again with it.
func TestOpenFillsMissingText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s := &news.Story{Title: "Old story", Body: "Some **bold** words.", Source: news.Source{Name: "N"}, Status: news.StatusPublished, PublishedAt: now}
	if err := deskOf(db).CreateStory(ctx, s, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec("UPDATE stories SET body_text = NULL"); err != nil {
		t.Fatal(err)
	}
	// As migration 0012 indexed such a story: without its body.
	if _, err := db.write.Exec("DELETE FROM live_fts WHERE rowid = ?", s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec("INSERT INTO live_fts (rowid, title, summary, body, tags, source) VALUES (?, ?, '', '', '', 'N')", s.ID, s.Title); err != nil {
		t.Fatal(err)
	}
	if res := search(t, db, "bold"); res.Total != 0 {
		t.Fatalf("bold found %d stories before the text was filled in", res.Total)
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := deskOf(db).Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := db.read.QueryRow("SELECT body_text FROM stories WHERE id = ?", s.ID).Scan(&text); err != nil || text != "Some bold words." {
		t.Errorf("body_text = %q, %v; want the plain text", text, err)
	}
	if res := search(t, db, "bold"); res.Total != 1 {
		t.Errorf("bold: %d stories, want the story whose text was filled in", res.Total)
	}
}

// A prefix that starts the words of many pages of the index is measured as
// broad before FTS5 is asked to merge their lists; a rare one is not.
func TestBroadPrefix(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	tx, err := db.write.Begin()
	if err != nil {
		t.Fatal(err)
	}
	body := "stable stack staff stage stamp stand start state station status statue stake stall stairs stadium"
	for i := range 4000 {
		extra := ""
		switch {
		case i%500 == 0:
			extra = " jodorn"
		case i%1000 == 250:
			extra = " jodornian"
		case i%800 == 400:
			extra = " zarout"
		}
		if _, err := tx.Exec("INSERT INTO live_fts (rowid, title, summary, body, tags, source) VALUES (?, 'Story', '', ?, '', 'Wire')",
			i+1, body+extra); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// A broad prefix is searched as the word typed when that word is in
	// stories; a word being typed that is in none still finds by prefix.
	// A narrow prefix is merged, and left out again when it finds only
	// the stories the word does.
	for _, tt := range []struct {
		q      string
		prefix bool
		n      int
	}{{"stable", false, 1000}, {"jodorn", true, 12}, {"jodornia", true, 4}, {"zarout", false, 4}, {"stac", true, 1000},
		{"stadi", true, 1000}, {"zzz", false, 0}, {"sta", false, 0}, {"st", false, 0}} {
		q, n, _, err := db.matchQuery(ctx, news.ParseQuery(tt.q), 1000, 100)
		if err != nil || q.Prefix != tt.prefix || n != tt.n {
			t.Errorf("matchQuery(%q) = prefix %v, %d matches, %v; want prefix %v, %d", tt.q, q.Prefix, n, err, tt.prefix, tt.n)
		}
	}
	for _, tt := range []struct {
		prefix string
		broad  bool
	}{{"sta", true}, {"st", true}, {"jod", false}, {"jodorn", false}, {"zzz", false}, {"s", true}} {
		if got, err := db.broadPrefix(ctx, tt.prefix); err != nil || got != tt.broad {
			t.Errorf("broadPrefix(%q) = %v, %v; want %v", tt.prefix, got, err, tt.broad)
		}
	}
}
