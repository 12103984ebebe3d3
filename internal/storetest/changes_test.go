package storetest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/changelog"
	"newsdesk/internal/cluster"
	"newsdesk/internal/news"
	"newsdesk/internal/postgres"
	"newsdesk/web"
)

// changesOf returns what the writes after version since changed.
func changesOf(t *testing.T, db Store, since int64) news.Changes {
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
	stores(t, testWritesRecordTheirKeys)
}

func testWritesRecordTheirKeys(t *testing.T) {
	db := newTestDB(t)
	importFile(t, db, fixture)
	dk := deskOf(db)
	ctx := context.Background()
	flood := storyBySlug(t, db, "vltava-floods-prague-old-town-as-river-bursts-its-banks")
	copyOf := storyBySlug(t, db, "river-bursts-banks-and-floods-prague-old-town")
	chips := storyBySlug(t, db, "chipmaker-unveils-low-power-processor-for-laptops")

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

func storyBySlug(t *testing.T, db Store, slug string) *news.Story {
	t.Helper()
	s, err := db.StoryBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// techStory is a new technology story about chips.
func techStory(title, url string) *news.Story {
	return &news.Story{Title: title, Body: "Laptops are back in stock.", Source: news.Source{Name: "Tech Current"},
		Section: news.Section{Name: "Technology"}, Tags: news.NewTags([]string{"chips"}), Status: news.StatusPublished,
		URL: url, PublishedAt: now.Add(-time.Minute)}
}

// twoNodes returns two stores on one new database holding the fixture,
// as two nodes (on SQLite, two processes): reader follows what writer
// writes.
func twoNodes(t *testing.T) (writer, reader Store) {
	writer = newTestDB(t)
	reader = reopenOf(t, writer)
	importFile(t, writer, fixture)
	follow(t, reader)
	waitVersion(t, reader, writer.Version())
	return writer, reader
}

// follow keeps db's data version in step with what other processes or
// nodes write to its database, as serve does, until the test ends: on
// PostgreSQL through LISTEN/NOTIFY (the notification makes it Refresh),
// on SQLite by polling.
func follow(t *testing.T, db Store) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	pg, ok := db.(*postgres.DB)
	if !ok {
		go func() { defer close(done); db.WatchVersion(ctx, 5*time.Millisecond) }()
		return
	}
	ready := make(chan struct{})
	l := &cluster.Listener{DSN: pg.DSN(), Channel: pg.Channel(), Log: slog.New(slog.DiscardHandler),
		Changed: func(ctx context.Context, _ string) error { return pg.Refresh(ctx) },
		Ready:   func() { close(ready) }}
	go func() { defer close(done); l.Run(ctx) }()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener never listened")
	}
}

// waitVersion waits until db has seen data version v.
func waitVersion(t *testing.T, db Store, v int64) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); db.Version() < v; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("version %d never reached (at %d)", v, db.Version())
		}
	}
}

// What another process or node writes to the same database reaches this
// one's Changes once it has seen the new version: the keys from the
// change log, and everything when the log lacks a version.
func TestChangesFromAnotherNode(t *testing.T) {
	stores(t, func(t *testing.T) {
		other, serve := twoNodes(t)
		v := serve.Version()
		st := techStory("Chip shortage eases", "https://techcurrent.example/shortage")
		upsertOne(t, other, st)
		waitVersion(t, serve, other.Version())
		wantKeys(t, "another node's import", changesOf(t, serve, v),
			[]string{news.StoryKey(st.ID), news.KeyFront, "section:technology", "tag:chips", "source:tech-current"},
			[]string{"tag:flood", "section:world"})
		if got, want := serve.Changes(v), other.Changes(v); !slices.Equal(got.Keys, want.Keys) || got.All != want.All {
			t.Errorf("the reading node's Changes = %+v, the writer's %+v", got, want)
		}

		// A version the log does not hold (pruned, or written by a program
		// that logs nothing) changed everything.
		v = serve.Version()
		bump := "UPDATE meta SET version = version + 1"
		if pg, ok := other.(*postgres.DB); ok {
			bump += "; NOTIFY " + pg.Channel() // heard at once, as a node's write is
		}
		rawExec(t, other, bump)
		waitVersion(t, serve, v+1)
		if ch := changesOf(t, serve, v); !ch.All {
			t.Errorf("a version missing from the change log: Changes = %+v, want everything", ch)
		}
		if ch := changesOf(t, serve, 0); !ch.All {
			t.Errorf("Changes since before the log began = %+v, want everything", ch)
		}
	})
}

// Another node's write throws away, from this node's render cache, the
// pages showing what it changed and keeps the rest.
func TestAnotherNodesWriteKeepsUnrelatedPages(t *testing.T) {
	stores(t, func(t *testing.T) {
		writer, reader := twoNodes(t)
		srv, err := web.New(web.Config{SiteName: "Newsdesk", BaseURL: "http://news.example", Now: func() time.Time { return now },
			PageCacheBytes: 8 << 20, Logger: slog.New(slog.DiscardHandler)}, site(reader, deskOf(reader)))
		if err != nil {
			t.Fatal(err)
		}
		get := func(path string) string {
			t.Helper()
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", path, rec.Code)
			}
			return rec.Body.String()
		}
		cached := func(path string) bool {
			t.Helper()
			before := srv.CacheStats().Hits
			get(path)
			return srv.CacheStats().Hits == before+1
		}
		flood := "/articles/vltava-floods-prague-old-town-as-river-bursts-its-banks"
		unrelated := []string{flood, "/tags/flood", "/sections/world", "/sources/global-wire"}
		related := []string{"/", "/sections/technology", "/tags/chips", "/feed.xml"}
		for _, p := range append(unrelated, related...) {
			get(p)
		}

		st := techStory("Chip shortage eases at last", "https://techcurrent.example/shortage")
		upsertOne(t, writer, st)
		waitVersion(t, reader, writer.Version())
		for _, p := range unrelated {
			if !cached(p) {
				t.Errorf("another node's technology story threw away %s", p)
			}
		}
		for _, p := range related {
			if body := get(p); !strings.Contains(body, st.Title) {
				t.Errorf("GET %s lacks the story another node wrote", p)
			}
		}
		if s := srv.CacheStats(); s.Flushes != 0 {
			t.Errorf("the cache was emptied %d times, want none", s.Flushes)
		}
	})
}

// A node whose own write raises the version past writes of another node
// it has not heard of yet reads their keys in its transaction, instead of
// leaving them unknown (everything); and the changes table holds each
// write's keys.
func TestPostgresWriteLearnsEarlierVersions(t *testing.T) {
	t.Parallel()
	a := newTestDBOf(t, true)
	b := reopenOf(t, a)
	ctx := context.Background()
	importFile(t, a, fixture)
	if err := b.(*postgres.DB).Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	v := b.Version()
	chips := techStory("Chip shortage eases", "https://techcurrent.example/shortage")
	upsertOne(t, a, chips)
	cup := &news.Story{Title: "Rovers book their cup final tickets", Body: "The club sold out its allocation.", Source: news.Source{Name: "Harbor Times"},
		Section: news.Section{Name: "Sport"}, Tags: news.NewTags([]string{"cup"}), Status: news.StatusPublished,
		URL: "https://harbor.example/tickets", PublishedAt: now}
	upsertOne(t, b, cup)
	if b.Version() != a.Version()+1 {
		t.Fatalf("versions %d and %d: the second write should be the next version", a.Version(), b.Version())
	}
	wantKeys(t, "a write after another node's", changesOf(t, b, v),
		[]string{news.StoryKey(chips.ID), "tag:chips", news.StoryKey(cup.ID), "tag:cup", "section:sport"}, []string{"tag:flood"})

	var keys string
	if err := rawQueryRow(t, a, "SELECT keys FROM changes WHERE version = ?", b.Version()).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(keys); !slices.Contains(got, news.StoryKey(cup.ID)) || slices.Contains(got, news.StoryKey(chips.ID)) {
		t.Errorf("changes row of version %d = %q, want the cup story's keys only", b.Version(), keys)
	}
	var n int
	if err := rawQueryRow(t, a, "SELECT count(*) FROM changes").Scan(&n); err != nil || n > changelog.Kept {
		t.Errorf("changes holds %d rows (%v), want at most %d", n, err, changelog.Kept)
	}
}
