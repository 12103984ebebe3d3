package desk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/corpus"
	"newsdesk/internal/desk"
	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
	"newsdesk/internal/sqlite"
	"newsdesk/internal/store"
)

// The SQLite store is one that desk writes through.
var _ desk.Store = (*sqlite.DB)(nil)

var now = time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return now }
	return db
}

func story(source, url, title, body string) *news.Story {
	return &news.Story{Title: title, Body: body, Source: news.Source{Name: source}, URL: url,
		Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
}

// A wire story and a syndicated copy of it: one story, two sources.
const (
	wireTitle = "Harbour authority approves 40 million euro expansion of Rotterdam container terminal"
	wireBody  = "The Rotterdam harbour authority on Monday approved a 40 million euro expansion of the Maasvlakte container terminal, adding 600 metres of quay. " +
		"Director Allard Castelein said construction would start in September and finish in 2028. " +
		"The expansion lets the port handle the largest container ships now in service, the authority said.\n\n" +
		"Environmental groups had objected to the plan during a two-year consultation."
)

// Each of these bodies costs quadratic or worse time or memory in a naive
// renderer or key-point ranker; desk derives each within the limits, so
// each saves, nested no deeper than the Markdown limit, with at most three
// key points.
func TestHostileBodiesSave(t *testing.T) {
	db := openDB(t)
	d := desk.New(db)
	ctx := context.Background()
	var sentences strings.Builder
	for i := range 40000 {
		fmt.Fprintf(&sentences, "It is %x. ", i)
	}
	for name, body := range map[string]string{
		"nested list":    strings.Repeat("- ", 100000) + "x",
		"nested quotes":  strings.Repeat(">", 100000) + " x",
		"many sentences": sentences.String(),
	} {
		s := story("Desk", "", name, body)
		if len(s.Body) > news.MaxBodyLen {
			t.Fatalf("%s: body of %d bytes is over the limit", name, len(s.Body))
		}
		if err := d.CreateStory(ctx, s, 0); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := db.StoryByID(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := max(strings.Count(got.BodyHTML, "<ul>"), strings.Count(got.BodyHTML, "<blockquote>")); n > 32 {
			t.Errorf("%s: nested %d levels deep, want at most 32", name, n)
		}
		if len(got.KeyPoints) > 3 {
			t.Errorf("%s: %d key points", name, len(got.KeyPoints))
		}
	}
}

// A body over news.MaxBodyLen that did not pass Validate (an old
// database, a store written by other means) is stored whole, but derived
// from its first news.MaxBodyLen bytes only.
func TestOversizedBodyDerivedFromItsStart(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	body := strings.Repeat("Word after word makes a sentence. ", 4*news.MaxBodyLen/34) + "ZZTAIL"
	s := story("Wire", "https://wire.example/big", "A very long story", body)
	if _, err := desk.New(db).UpsertStories(ctx, []*news.Story{s}); err != nil {
		t.Fatal(err)
	}
	got, err := db.StoryByID(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Body != body {
		t.Errorf("stored body has %d bytes, want all %d", len(got.Body), len(body))
	}
	if len(got.BodyHTML) > 2*news.MaxBodyLen || strings.Contains(got.BodyHTML, "ZZTAIL") {
		t.Errorf("HTML of %d bytes derived past the limit", len(got.BodyHTML))
	}
}

// failingStore fails the next import once, after desk decided it.
type failingStore struct {
	*sqlite.DB
	fail  bool
	loads int // times the index was loaded
}

func (f *failingStore) IndexStories(ctx context.Context, fn func(store.Indexed) error) error {
	f.loads++
	return f.DB.IndexStories(ctx, fn)
}

func (f *failingStore) SaveImport(ctx context.Context, items []store.Imported, decide func() (store.Changes, error)) error {
	if f.fail {
		f.fail = false
		if _, err := decide(); err != nil {
			return err
		}
		return errors.New("disk full")
	}
	return f.DB.SaveImport(ctx, items, decide)
}

// When the transaction that stores a write fails, desk forgets what it
// decided for it: the index is reloaded from what was committed, and the
// same write later is decided afresh (the copy joins its original).
func TestFailedWriteIsDecidedAgain(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	st := &failingStore{DB: db}
	d := desk.New(st)
	wire := story("Wire", "https://wire.example/port", wireTitle, wireBody)
	if _, err := d.UpsertStories(ctx, []*news.Story{wire}); err != nil {
		t.Fatal(err)
	}
	st.fail = true
	copyOf := func() *news.Story {
		s := story("Syndicate", "https://syndicate.example/port", wireTitle, wireBody)
		s.PublishedAt = now.Add(-30 * time.Minute)
		return s
	}
	if _, err := d.UpsertStories(ctx, []*news.Story{copyOf()}); err == nil {
		t.Fatal("the failing write succeeded")
	}
	c := copyOf()
	defer func() {
		if st.loads != 2 {
			t.Errorf("index loaded %d times, want once more after the failed write", st.loads)
		}
	}()
	out, err := d.UpsertStories(ctx, []*news.Story{c})
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != news.Added || !c.Copy {
		t.Fatalf("outcome %v, copy %v: want added as a copy", out[0], c.Copy)
	}
	w, err := db.StoryByID(ctx, wire.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.StoryByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ClusterID == 0 || got.ClusterID != w.ClusterID {
		t.Errorf("clusters %d and %d, want the copy in the wire story's", got.ClusterID, w.ClusterID)
	}
	cl, err := db.Cluster(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Members) != 2 || cl.Lead != wire.ID {
		t.Errorf("cluster has %d members led by %d, want 2 led by the wire story %d", len(cl.Members), cl.Lead, wire.ID)
	}
}

// staleStore reports every stored fingerprint as of an older format, as
// a database from before copy detection changed does, and records the
// transactions that re-place them.
type staleStore struct {
	*sqlite.DB
	batches []int
}

func (s *staleStore) IndexStories(ctx context.Context, fn func(store.Indexed) error) error {
	return s.DB.IndexStories(ctx, func(st store.Indexed) error {
		st.Print = []byte{1}
		return fn(st)
	})
}

func (s *staleStore) SaveChanges(ctx context.Context, ch store.Changes) error {
	s.batches = append(s.batches, len(ch.Reindexed))
	return s.DB.SaveChanges(ctx, ch)
}

// An upgraded database's stale stories are re-placed in batches of
// bounded size, each in its own transaction, before the first write.
func TestStaleStoriesReplacedInBatches(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	var list []*news.Story
	for i := range 1100 {
		list = append(list, story("Wire", fmt.Sprintf("https://wire.example/%d", i), fmt.Sprintf("Story %d about topic %d", i, i%37),
			fmt.Sprintf("Body of story %d. It mentions place %d and person %d.", i, i%11, i%13)))
	}
	if _, err := desk.New(db).UpsertStories(ctx, list); err != nil {
		t.Fatal(err)
	}
	st := &staleStore{DB: db}
	d := desk.New(st)
	extra := story("Wire", "https://wire.example/extra", "One more story", "A body.")
	if _, err := d.UpsertStories(ctx, []*news.Story{extra}); err != nil {
		t.Fatal(err)
	}
	if want := []int{500, 500, 100}; fmt.Sprint(st.batches) != fmt.Sprint(want) {
		t.Errorf("re-placed in transactions of %v stories, want %v", st.batches, want)
	}
	// Re-placed, each is in a cluster and kept its related list.
	got, err := db.StoryByID(ctx, list[1099].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ClusterID == 0 {
		t.Error("a re-placed story has no cluster")
	}
	rel, err := db.Related(ctx, list[0].ID, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel) == 0 {
		t.Error("a re-placed story lost its related stories")
	}
}

// brokenReader gives lines, then fails as a dropped connection does.
type brokenReader struct {
	r     io.Reader
	after int // bytes before the failure
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.after <= 0 {
		return 0, errors.New("connection reset")
	}
	n, err := b.r.Read(p[:min(len(p), b.after)])
	b.after -= n
	return n, err
}

// An import streams: one batch is derived while the one before is written,
// yet batches are written in order (an item's later version, in a later
// batch, wins), and a read that fails midway leaves the batches read
// before it written.
func TestImportPipelinesInOrder(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	var in strings.Builder
	line := func(i int, title string) {
		fmt.Fprintf(&in, `{"title":%q,"body":"Body of story %d.","published_at":"2026-03-15T10:00:00Z","url":"https://w.example/%d"}`+"\n", title, i, i)
	}
	for i := range 1300 {
		line(i, fmt.Sprintf("Story %d", i))
	}
	line(7, "Story 7, corrected") // in the third batch
	cut := len(in.String())
	for i := 1300; i < 1400; i++ {
		line(i, fmt.Sprintf("Story %d", i))
	}
	r := &brokenReader{r: strings.NewReader(in.String()), after: cut + 10}
	rep, err := ingest.Import(ctx, desk.New(db), r, "Wire")
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("import error %v, want the read's", err)
	}
	if rep.Added != 1000 {
		t.Errorf("added %d before the failure, want the two batches read whole (1000)", rep.Added)
	}
	rep, err = ingest.Import(ctx, desk.New(db), strings.NewReader(in.String()), "Wire")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 400 || rep.Updated != 1 || rep.Duplicates != 1000 {
		t.Errorf("second import: %v", rep)
	}
	s, err := db.StoryBySlug(ctx, "story-7")
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "Story 7, corrected" {
		t.Errorf("story 7 is titled %q, want the later version", s.Title)
	}
}

// A desk knows only the stories written through it since it loaded its
// index; after Invalidate it reloads and sees what another desk (another
// process, another node) wrote.
func TestInvalidateSeesOtherWriters(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	here, there := desk.New(db), desk.New(db)
	if _, err := here.UpsertStories(ctx, []*news.Story{story("Wire", "https://wire.example/other", "An unrelated story", "Nothing in common.")}); err != nil {
		t.Fatal(err)
	}
	if _, err := there.UpsertStories(ctx, []*news.Story{story("Wire", "https://wire.example/port", wireTitle, wireBody)}); err != nil {
		t.Fatal(err)
	}
	here.Invalidate()
	c := story("Syndicate", "https://syndicate.example/port", wireTitle, wireBody)
	if _, err := here.UpsertStories(ctx, []*news.Story{c}); err != nil {
		t.Fatal(err)
	}
	if !c.Copy {
		t.Error("the copy of a story another desk wrote was not recognised after Invalidate")
	}
}

// TestOfferedListsStayWhole imports stories in batches, so that later
// stories are offered into the stored lists of earlier ones (only the
// changed tail is written), and wants every stored list whole: best
// first, each story once.
func TestOfferedListsStayWhole(t *testing.T) {
	db := openDB(t)
	d := desk.New(db)
	ctx := context.Background()
	stories := corpus.Generate(1200, 3, now)
	for len(stories) > 0 {
		batch := stories[:min(150, len(stories))]
		stories = stories[len(batch):]
		for _, s := range batch {
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.UpsertStories(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	lists, full := 0, 0
	err := db.IndexLists(ctx, func(id int64, list []store.Match) error {
		lists++
		if len(list) == 8 {
			full++
		}
		seen := map[int64]bool{}
		for i, m := range list {
			if seen[m.ID] || m.ID == id {
				t.Errorf("story %d lists story %d twice or itself: %+v", id, m.ID, list)
			}
			seen[m.ID] = true
			if i > 0 && m.Score > list[i-1].Score {
				t.Errorf("story %d's list is out of order at %d: %+v", id, i, list)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if lists < 1000 || full < 200 {
		t.Errorf("%d lists, %d of them full: too few for the test to mean anything", lists, full)
	}
}
