package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/ingest"
	"newsdesk/internal/markdown"
	"newsdesk/internal/news"
)

// now is the clock of every test store: a little after the fixture's
// newest story.
var now = time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)

func newTestDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return now }
	t.Cleanup(func() { db.Close() })
	return db
}

func importFile(t testing.TB, db *DB, path string) ingest.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := ingest.Import(context.Background(), deskOf(db), f, "")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestMigrationsRerun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	for i := range 2 {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		var n int
		if err := db.read.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		files, _ := fs.Glob(migrations, "migrations/*.sql")
		if n != len(files) || n < 2 {
			t.Errorf("open #%d: %d migrations recorded, want %d", i+1, n, len(files))
		}
		var mode string
		if err := db.read.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q (%v), want wal", mode, err)
		}
		db.Close()
	}
}

func TestImportIsIdempotent(t *testing.T) {
	db := newTestDB(t)
	rep := importFile(t, db, "testdata/fixture.ndjson")
	if rep.Added != 6 || rep.Updated != 0 || rep.Duplicates != 0 || len(rep.Rejected) != 0 {
		t.Fatalf("first import = %v, want 6 added", rep)
	}
	rep = importFile(t, db, "testdata/fixture.ndjson")
	if rep.Added != 0 || rep.Duplicates != 6 {
		t.Fatalf("second import = %v, want 6 duplicates", rep)
	}
	n, err := db.StoryCount(context.Background())
	if err != nil || n != 6 {
		t.Fatalf("StoryCount = %d, %v; want 6", n, err)
	}
}

func TestUpsertUpdatesByURLAndKeepsSlug(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	s := &news.Story{Title: "First title", Body: "Body text here.", Source: news.Source{Name: "Wire"},
		URL: "https://wire.example/a", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
	if _, err := deskOf(db).UpsertStories(ctx, []*news.Story{s}); err != nil {
		t.Fatal(err)
	}
	s2 := *s
	s2.ID, s2.Slug, s2.Title = 0, "", "Second title"
	out, err := deskOf(db).UpsertStories(ctx, []*news.Story{&s2})
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != news.Updated {
		t.Errorf("outcome = %v, want Updated", out[0])
	}
	got, err := db.StoryBySlug(ctx, "first-title")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Second title" {
		t.Errorf("title = %q, want %q", got.Title, "Second title")
	}
}

func TestSlugsAreUnique(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	var list []*news.Story
	for i := range 3 {
		list = append(list, &news.Story{Title: "Same Headline!", Body: "Text.", Source: news.Source{Name: "Wire"},
			GUID: string(rune('a' + i)), Status: news.StatusPublished, PublishedAt: now})
	}
	if _, err := deskOf(db).UpsertStories(ctx, list); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"same-headline", "same-headline-2", "same-headline-3"} {
		if list[i].Slug != want {
			t.Errorf("story %d slug = %q, want %q", i, list[i].Slug, want)
		}
	}
}

func TestRelatedRanking(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	importFile(t, db, "testdata/fixture.ndjson")

	cost, err := db.StoryBySlug(ctx, "prague-counts-the-cost-of-the-flood-as-water-recedes")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := db.Related(ctx, cost.ID, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel) < 2 {
		t.Fatalf("Related = %d stories, want at least 2", len(rel))
	}
	// The two copies of the flood report appear once, naming the other source.
	first := rel[0]
	if first.Story.Source.Name != "Global Wire" && first.Story.Source.Name != "Continental Press" {
		t.Errorf("first related = %q from %s, want the flood report", first.Story.Title, first.Story.Source.Name)
	}
	if len(first.AlsoCoveredBy) != 1 {
		t.Errorf("first related also covered by %v, want the other source", first.AlsoCoveredBy)
	}
	if rel[1].Story.Slug != "flood-defences-debate-returns-to-city-council-agenda" {
		t.Errorf("second related = %q, want the flood defences debate", rel[1].Story.Slug)
	}
	for _, r := range rel {
		if r.Story.ID == cost.ID {
			t.Error("Related contains the story itself")
		}
		if r.Story.Section.Name == "Sport" {
			t.Errorf("Related contains unrelated %q", r.Story.Title)
		}
	}
	copies := 0
	for _, r := range rel {
		if r.Story.Source.Name == "Global Wire" || r.Story.Source.Name == "Continental Press" {
			copies++
		}
	}
	if copies != 1 {
		t.Errorf("flood report appears %d times in related, want once", copies)
	}
}

func TestCopiesAreClustered(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	importFile(t, db, "testdata/fixture.ndjson")
	a, err := db.StoryBySlug(ctx, "vltava-floods-prague-old-town-as-river-bursts-its-banks")
	if err != nil {
		t.Fatal(err)
	}
	copies, err := db.CopyStories(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 1 || copies[0].Source.Name != "Continental Press" {
		t.Fatalf("CopyStories = %d stories, want the Continental Press copy", len(copies))
	}
	rel, err := db.Related(ctx, a.ID, 6)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rel {
		if r.Story.ID == copies[0].ID {
			t.Error("Related lists the story's own copy")
		}
	}
}

func TestDraftsAndFutureStoriesAreHidden(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	list := []*news.Story{
		{Title: "Draft", Body: "x", Source: news.Source{Name: "W"}, GUID: "d", Status: news.StatusDraft, PublishedAt: now.Add(-time.Hour)},
		{Title: "Future", Body: "x", Source: news.Source{Name: "W"}, GUID: "f", Status: news.StatusScheduled, PublishedAt: now.Add(time.Hour)},
		{Title: "Due", Body: "x", Source: news.Source{Name: "W"}, GUID: "s", Status: news.StatusScheduled, PublishedAt: now.Add(-time.Minute)},
	}
	if _, err := deskOf(db).UpsertStories(ctx, list); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		slug    string
		visible bool
	}{{"draft", false}, {"future", false}, {"due", true}} {
		_, err := db.StoryBySlug(ctx, tt.slug)
		if got := err == nil; got != tt.visible {
			t.Errorf("StoryBySlug(%q) visible = %v (%v), want %v", tt.slug, got, err, tt.visible)
		}
	}
}

// A server restarted between imports keeps extending the related lists
// it finds stored, instead of starting them afresh.
func TestRelatedListsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	ctx := context.Background()
	open := func() *DB {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		return db
	}
	db := open()
	importFile(t, db, "testdata/fixture.ndjson")
	cost, _ := db.StoryBySlug(ctx, "prague-counts-the-cost-of-the-flood-as-water-recedes")
	before, _ := db.Related(ctx, cost.ID, 8)
	db.Close()

	db = open()
	defer db.Close()
	s := &news.Story{Title: "Chip plant adds a second shift", Body: "The laptop processor plant hires for a second shift.",
		Source: news.Source{Name: "Tech Current"}, GUID: "chip-2", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
	if _, err := deskOf(db).UpsertStories(ctx, []*news.Story{s}); err != nil {
		t.Fatal(err)
	}
	after, _ := db.Related(ctx, cost.ID, 8)
	if len(after) != len(before) {
		t.Errorf("related of an untouched story went from %d to %d after a restart and a write", len(before), len(after))
	}
}

// TestHostileBodiesSave saves bodies built to make derivation quadratic:
// a 100,000-level nested list and a 40,000-sentence body. They are stored
// flattened and summarized from their opening.
func TestHostileBodiesSave(t *testing.T) {
	db := newTestDB(t)
	var sents strings.Builder
	for i := 0; sents.Len() < news.MaxBodyLen-40; i++ {
		fmt.Fprintf(&sents, "Ab cd ef gh ij kl %d. ", i)
	}
	stories := []*news.Story{
		{Title: "Deep list", Body: strings.Repeat("- ", 100_000) + "bottom", URL: "https://x.example/deep"},
		{Title: "Many sentences", Body: sents.String(), URL: "https://x.example/many"},
	}
	for _, s := range stories {
		s.Source.Name, s.Status, s.PublishedAt = "Wire", news.StatusPublished, now.Add(-time.Hour)
		if err := s.Validate(); err != nil {
			t.Fatalf("Validate(%q): %v", s.Title, err)
		}
	}
	if _, err := deskOf(db).UpsertStories(context.Background(), stories); err != nil {
		t.Fatal(err)
	}
	deep, err := db.StoryBySlug(context.Background(), "deep-list")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(deep.BodyHTML, "<ul>"); n > markdown.MaxDepth {
		t.Errorf("stored body has %d lists, want at most %d", n, markdown.MaxDepth)
	}
	many, err := db.StoryBySlug(context.Background(), "many-sentences")
	if err != nil {
		t.Fatal(err)
	}
	if len(many.KeyPoints) != 3 {
		t.Errorf("key points = %q, want 3", many.KeyPoints)
	}
}

// A database file made before the 0600 rule, and its -wal and -shm files,
// are made owner-only when opened, and the store says which it changed.
func TestOpenTightensReadableFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Tightened) != 0 {
		t.Errorf("a new database reports %v tightened", db.Tightened)
	}
	if err := db.AddSection(context.Background(), "Kept"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, name := range []string{path + "-wal", path + "-shm"} {
		if _, err := os.Stat(name); os.IsNotExist(err) {
			// Closed cleanly, SQLite removed them: leave empty ones, as a
			// crashed or running process would leave its own.
			if err := os.WriteFile(name, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(name, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if len(db.Tightened) != 3 || db.Tightened[0].File != path || db.Tightened[0].Was != 0o644 {
		t.Errorf("Tightened = %+v, want the database, -wal and -shm, each once 0644", db.Tightened)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v after open, want -rw-------", filepath.Base(name), fi.Mode().Perm())
		}
	}
	list, err := db.AllSections(context.Background())
	if err != nil || len(list) != 1 || list[0].Name != "Kept" {
		t.Errorf("the reopened database lost its data: %v, %v", list, err)
	}
}

// A write by another process (another DB on the file) is news to
// pollVersion, which calls OnExternalWrite; a write through this DB is not.
func TestExternalWritesAreNoticed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	ctx := context.Background()
	here, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer here.Close()
	there, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer there.Close()
	calls := 0
	here.OnExternalWrite = func() { calls++ }
	if err := here.AddSection(ctx, "Here"); err != nil {
		t.Fatal(err)
	}
	if err := here.pollVersion(ctx); err != nil || calls != 0 {
		t.Fatalf("own write: %d calls, %v; want none", calls, err)
	}
	if err := there.AddSection(ctx, "There"); err != nil {
		t.Fatal(err)
	}
	if err := here.pollVersion(ctx); err != nil || calls != 1 {
		t.Errorf("another's write: %d calls, %v; want one", calls, err)
	}
}
