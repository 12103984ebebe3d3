package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"newsdesk/internal/news"
)

// changesOf returns what the writes after version since changed.
func changesOf(t *testing.T, db *DB, since int64) news.Changes {
	t.Helper()
	ch := db.Changes(since)
	if ch.Version != db.Version() {
		t.Fatalf("Changes(%d).Version = %d, want the current version %d", since, ch.Version, db.Version())
	}
	return ch
}

func wantKeys(t *testing.T, what string, ch news.Changes, want, unwanted []string) {
	t.Helper()
	if ch.All {
		t.Errorf("%s changed everything; want keys %v", what, want)
		return
	}
	for _, k := range want {
		if !slices.Contains(ch.Keys, k) {
			t.Errorf("%s: keys %v lack %s", what, ch.Keys, k)
		}
	}
	for _, k := range unwanted {
		if slices.Contains(ch.Keys, k) {
			t.Errorf("%s: keys %v name %s, which it did not change", what, ch.Keys, k)
		}
	}
}

// Each write records what it changed, as cache keys: the story, the lists
// it is in before and after, the related lists rewritten, the members of
// its cluster; a change no key names is everything.
func TestWritesRecordTheirKeys(t *testing.T) {
	db := newTestDB(t)
	importFile(t, db, "testdata/fixture.ndjson")
	dk := deskOf(db)
	ctx := context.Background()
	flood, err := db.StoryBySlug(ctx, "vltava-floods-prague-old-town-as-river-bursts-its-banks")
	if err != nil {
		t.Fatal(err)
	}
	copyOf, err := db.StoryBySlug(ctx, "river-bursts-banks-and-floods-prague-old-town")
	if err != nil {
		t.Fatal(err)
	}
	chips, err := db.StoryBySlug(ctx, "chipmaker-unveils-low-power-processor-for-laptops")
	if err != nil {
		t.Fatal(err)
	}

	v := db.Version()
	st, err := db.StoryByID(ctx, flood.ID)
	if err != nil {
		t.Fatal(err)
	}
	st.Title = "Vltava floods Prague: the latest"
	st.Section = news.Section{Name: "Politics"}
	if err := dk.UpdateStory(ctx, st, st.Revision, 0); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "an edit moving a story to another section", changesOf(t, db, v),
		[]string{news.StoryKey(flood.ID), news.StoryKey(copyOf.ID), news.KeyFront, news.KeySearch, news.KeySitemap,
			"section:world", "section:politics", "tag:flood", "tag:prague", "source:global-wire", "author:jana-dvorak"},
		[]string{news.StoryKey(chips.ID), "section:technology", "tag:chips"})

	v = db.Version()
	draft := &news.Story{Title: "A draft about chips", Body: "Not yet.", Source: news.Source{Name: "Tech Current"},
		Section: news.Section{Name: "Technology"}, Tags: news.NewTags([]string{"chips"}), Status: news.StatusDraft, PublishedAt: now}
	if err := dk.CreateStory(ctx, draft, 0); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "a new draft", changesOf(t, db, v), []string{news.StoryKey(draft.ID)},
		[]string{news.KeyFront, "section:technology", "tag:chips"})

	v = db.Version()
	draft.Status = news.StatusPublished
	if err := dk.UpdateStory(ctx, draft, 1, 0); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "publishing the draft", changesOf(t, db, v),
		[]string{news.StoryKey(draft.ID), news.KeyFront, "section:technology", "tag:chips", "source:tech-current"},
		[]string{"tag:flood", news.StoryKey(flood.ID)})

	v = db.Version()
	if err := dk.TrashStory(ctx, chips.ID); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "trashing a story", changesOf(t, db, v),
		[]string{news.StoryKey(chips.ID), news.KeyFront, "section:technology", "tag:chips", "tag:laptops"},
		[]string{"tag:flood"})

	v = db.Version()
	c := &news.Comment{StoryID: copyOf.ID, Name: "Reader", Body: "Thanks."}
	if err := db.AddComment(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if db.Version() != v {
		t.Error("a pending comment raised the data version")
	}
	if err := db.ModerateComments(ctx, []int64{c.ID}, news.CommentApproved); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "approving a comment", changesOf(t, db, v), []string{news.StoryKey(copyOf.ID)},
		[]string{news.KeyFront, news.StoryKey(flood.ID)})

	v = db.Version()
	tag, err := db.Tag(ctx, "prague")
	if err != nil {
		t.Fatal(err)
	}
	if err := dk.Rename(ctx, "tags", tag.ID, "Praha"); err != nil {
		t.Fatal(err)
	}
	if ch := changesOf(t, db, v); !ch.All {
		t.Errorf("a tag renamed changed %v; want everything", ch.Keys)
	}
	if ch := changesOf(t, db, db.Version()); ch.All || len(ch.Keys) != 0 {
		t.Errorf("no write since the current version: Changes = %+v", ch)
	}
}

// What another process writes to the same file reaches this one's
// Changes once it polls: the keys from the change log, and everything
// when the log lacks a version.
func TestChangesFromAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	ctx := context.Background()
	serve, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer serve.Close()
	imp, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	serve.Now = func() time.Time { return now }
	imp.Now = serve.Now
	importFile(t, imp, "testdata/fixture.ndjson")
	if err := serve.pollVersion(ctx); err != nil {
		t.Fatal(err)
	}
	v := serve.Version()
	if v != imp.Version() {
		t.Fatalf("after a poll, version %d, the writer's %d", v, imp.Version())
	}

	st := &news.Story{Title: "Chip shortage eases", Body: "Laptops are back in stock.", Source: news.Source{Name: "Tech Current"},
		Section: news.Section{Name: "Technology"}, Tags: news.NewTags([]string{"chips"}), Status: news.StatusPublished,
		URL: "https://techcurrent.example/shortage", PublishedAt: now}
	if _, err := deskOf(imp).UpsertStories(ctx, []*news.Story{st}); err != nil {
		t.Fatal(err)
	}
	if ch := serve.Changes(v); ch.Version != v || len(ch.Keys) != 0 || ch.All {
		t.Errorf("before polling, Changes = %+v, want nothing new", ch)
	}
	if err := serve.pollVersion(ctx); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "another process's import", changesOf(t, serve, v),
		[]string{news.StoryKey(st.ID), news.KeyFront, "section:technology", "tag:chips"}, []string{"tag:flood", "section:world"})

	// A version the log does not hold (pruned, or written by a program
	// that logs nothing) changed everything.
	v = serve.Version()
	if _, err := imp.write.ExecContext(ctx, "UPDATE meta SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	if err := serve.pollVersion(ctx); err != nil {
		t.Fatal(err)
	}
	if ch := changesOf(t, serve, v); !ch.All {
		t.Errorf("a version missing from the change log: Changes = %+v, want everything", ch)
	}
	if ch := changesOf(t, serve, 0); !ch.All {
		t.Errorf("Changes since before the log began = %+v, want everything", ch)
	}
}
