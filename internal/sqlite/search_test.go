package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

func TestSearchRanking(t *testing.T) {
	db := newTestDB(t)
	importFile(t, db, "testdata/fixture.ndjson")

	// "council" is in one headline and in one other body: the headline wins.
	res := search(t, db, "council")
	if res.Total != 2 || !strings.Contains(res.Stories[0].Title, "council") {
		t.Errorf("council: total %d, first %q", res.Total, titleOf(res))
	}
	// A phrase matches only where the words are adjacent. The Vltava
	// flood report and its Continental Press copy are one result.
	if res := search(t, db, `"flood barriers"`); res.Total != 2 {
		t.Errorf(`"flood barriers": total %d, want 2`, res.Total)
	}
	if res := search(t, db, `"barriers flood"`); res.Total != 0 {
		t.Errorf(`"barriers flood": total %d, want 0`, res.Total)
	}
	// The last word matches as a prefix while being typed.
	if res := search(t, db, "semicond"); res.Total != 1 {
		t.Errorf("semicond: total %d, want 1", res.Total)
	}
	if res := search(t, db, "semicond "); res.Total != 0 {
		t.Errorf("'semicond ': total %d, want 0", res.Total)
	}
	// Source names and tags are searched too.
	if res := search(t, db, "harbor"); res.Total != 1 {
		t.Errorf("harbor: total %d, want 1", res.Total)
	}
	if res := search(t, db, "flood -insurance"); res.Total != 2 {
		t.Errorf("flood -insurance: total %d, want 2", res.Total)
	}
}

func titleOf(res news.SearchResult) string {
	if len(res.Stories) == 0 {
		return ""
	}
	return res.Stories[0].Title
}

func TestSearchHostileInput(t *testing.T) {
	db := newTestDB(t)
	importFile(t, db, "testdata/fixture.ndjson")
	for _, q := range []string{`"`, `*`, `(`, `)`, `-`, `NEAR`, `NEAR(flood prague, 2)`, `:`, `title:flood`,
		`flood OR`, `AND AND`, `"flood`, `flood"*`, `^flood`, `{title}: flood`, `'; DROP TABLE stories; --`,
		strings.Repeat("flood ", 2000), "\x00", "\xff\xfe", `-"-"`, `""""`} {
		if _, err := db.Search(context.Background(), news.SearchFilter{Query: news.ParseQuery(q), Page: news.Page{Number: 1, Size: 10}}); err != nil {
			t.Errorf("Search(%.40q): %v", q, err)
		}
	}
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

func TestSearchOnlyFindsLiveStories(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	importFile(t, db, "testdata/fixture.ndjson")
	draft := &news.Story{Title: "Zeppelin draft", Body: "About a zeppelin.", Source: news.Source{Name: "N"}, Status: news.StatusDraft, PublishedAt: now}
	gone := &news.Story{Title: "Zeppelin trashed", Body: "About a zeppelin.", Source: news.Source{Name: "N"}, Status: news.StatusPublished, PublishedAt: now}
	live := &news.Story{Title: "Zeppelin live", Body: "About a zeppelin. Also the word live.", Source: news.Source{Name: "N"}, Status: news.StatusPublished, PublishedAt: now}
	for _, s := range []*news.Story{draft, gone, live} {
		if err := deskOf(db).CreateStory(ctx, s, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := deskOf(db).TrashStory(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	res := search(t, db, "zeppelin")
	if res.Total != 1 || res.Stories[0].ID != live.ID {
		t.Errorf("zeppelin: total %d, want only the live story", res.Total)
	}
	// "live" is a word of one story, not of every story's state.
	if res := search(t, db, "live"); res.Total != 1 {
		t.Errorf("live: total %d, want 1", res.Total)
	}
	list, n, err := db.AdminStories(ctx, news.AdminFilter{Query: news.ParseQuery("zeppelin"), Page: news.Page{Number: 1, Size: 10}})
	if err != nil || n != 2 || len(list) != 2 {
		t.Errorf("newsroom search: %d stories, %v; want the draft and the live one", n, err)
	}
	if err := deskOf(db).RestoreStory(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if res := search(t, db, "zeppelin"); res.Total != 2 {
		t.Errorf("after restore: total %d, want 2", res.Total)
	}
}

// TestSearchManyMatches covers a search matching more stories than are
// ranked one by one: headline matches come first, newest first; the count
// stops at searchCountCap; an embargoed story is neither counted nor shown.
func TestSearchManyMatches(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	var stories []*news.Story
	add := func(title, body string, at time.Time) *news.Story {
		s := &news.Story{Title: title, Body: body, URL: fmt.Sprintf("https://x.example/%d", len(stories)),
			Source: news.Source{Name: "Wire"}, Status: news.StatusPublished, PublishedAt: at}
		stories = append(stories, s)
		return s
	}
	for i := range searchCountCap + 50 {
		add(fmt.Sprintf("Routine item %d", i), "The harvest went as planned this year in the valley.", now.Add(-time.Duration(i+10)*time.Hour))
	}
	oldHead := add("Harvest festival opens", "Crowds came.", now.Add(-30*24*time.Hour))
	newHead := add("Record harvest", "Farmers were pleased.", now.Add(-2*time.Hour))
	embargoed := add("Harvest embargoed", "Not yet: harvest figures.", now.Add(time.Hour))
	if _, err := deskOf(db).UpsertStories(ctx, stories); err != nil {
		t.Fatal(err)
	}
	res := search(t, db, "harvest")
	if res.Total != searchCountCap || !res.Capped {
		t.Errorf("harvest: total %d capped %v, want %d capped", res.Total, res.Capped, searchCountCap)
	}
	if got := titleOf(res); got != newHead.Title || len(res.Stories) < 2 || res.Stories[1].ID != oldHead.ID {
		t.Errorf("harvest: first %q, want the headline matches %q then %q", got, newHead.Title, oldHead.Title)
	}
	for _, s := range res.Stories {
		if s.ID == embargoed.ID {
			t.Errorf("harvest: embargoed story shown")
		}
		if s.Text == "" {
			t.Errorf("harvest: hit %q has no text for its snippet", s.Title)
		}
	}
	// A rarer query within the bounded ranking: every match counted exactly.
	if res := search(t, db, "festival"); res.Total != 1 || res.Capped {
		t.Errorf("festival: total %d capped %v, want 1", res.Total, res.Capped)
	}
	if res := search(t, db, "embargoed"); res.Total != 0 || len(res.Stories) != 0 {
		t.Errorf("embargoed: total %d, want 0", res.Total)
	}
	// Narrowed to a source, the count is capped the same way.
	f := news.SearchFilter{Query: news.ParseQuery("harvest"), SourceSlug: "wire", Page: news.Page{Number: 1, Size: 10}}
	fres, err := db.Search(ctx, f)
	if err != nil || fres.Total != searchCountCap || !fres.Capped || len(fres.Stories) != 10 {
		t.Errorf("harvest from wire: total %d capped %v, %d stories, %v", fres.Total, fres.Capped, len(fres.Stories), err)
	}
	// Pages end with the count.
	f.SourceSlug, f.Page.Number = "", searchCountCap/10+1
	if res, err := db.Search(ctx, f); err != nil || len(res.Stories) != 0 {
		t.Errorf("page past the count: %d stories, %v", len(res.Stories), err)
	}
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

// A word with an apostrophe is one word for the query, the snippet and
// the index alike: "don't" finds "don’t" and "don't", and not a story that
// only has "don" and "t" apart.
func TestSearchApostrophes(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	for i, body := range []string{"Voters don’t trust the plan.", "Voters don't trust the plan.", "Don Quixote scored a t-shirt."} {
		s := &news.Story{Title: fmt.Sprintf("Apostrophe story %d", i), Body: body, Source: news.Source{Name: "Wire"},
			Status: news.StatusPublished, PublishedAt: db.Now().Add(-time.Hour), GUID: fmt.Sprintf("apostrophe-%d", i)}
		if _, err := deskOf(db).UpsertStories(ctx, []*news.Story{s}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{"don't", "don’t", `"don't trust"`, "don't "} {
		if res := search(t, db, q); res.Total != 2 {
			t.Errorf("Search(%q): %d matches (%s), want the two stories with don't", q, res.Total, titleOf(res))
		}
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
		if i%500 == 0 {
			extra = " jodorn"
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
	for _, tt := range []struct {
		q      string
		prefix bool
		n      int
	}{{"stable", false, 1000}, {"jodorn", true, 8}, {"stac", true, 1000}, {"stadi", true, 1000}, {"zzz", true, 0}, {"sta", false, 0}, {"st", false, 0}} {
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
