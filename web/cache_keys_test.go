package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"newsdesk/internal/desk"
	"newsdesk/internal/news"
)

func testPage(key string, version int64, keys ...string) *page {
	p := newPage(key, version, now, "text/html", []byte("<p>"+key+"</p>"), true)
	if keys != nil {
		p.named = true
		p.keys = keys
	}
	return p
}

func (pc *pageCache) has(key string) bool { return pc.get(key, now) != nil }

func TestPageCacheApplyDropsOnlyTouchedPages(t *testing.T) {
	pc := newPageCache(1 << 20)
	pc.put(testPage("/articles/a", 0, "related:1", "story:1", "story:2"), false)
	pc.put(testPage("/articles/b", 0, "related:2", "story:2"), false)
	pc.put(testPage("/tags/x", 0, "story:2", "tag:x"), false)
	pc.put(testPage("/robots.txt", 0, []string{}...), false) // named, shows nothing
	pc.put(testPage("/unnamed", 0), false)                   // named nothing: goes with any change

	if n := pc.apply(0, news.Changes{Version: 1, Keys: []string{"related:1", "story:9"}}); n != 2 {
		t.Errorf("apply(related:1) dropped %d pages, want 2 (/articles/a, /unnamed)", n)
	}
	for key, want := range map[string]bool{"/articles/a": false, "/unnamed": false, "/articles/b": true, "/tags/x": true, "/robots.txt": true} {
		if pc.has(key) != want {
			t.Errorf("after a change of related:1: cached %s = %v, want %v", key, !want, want)
		}
	}
	pc.apply(1, news.Changes{Version: 2, Keys: []string{"story:2"}})
	if pc.has("/articles/b") || pc.has("/tags/x") || !pc.has("/robots.txt") {
		t.Error("a change of story:2 must drop every page showing it, and only those")
	}
	if len(pc.byKey) != 0 {
		t.Errorf("index keeps %d keys of pages no longer cached", len(pc.byKey))
	}
	pc.apply(2, news.Changes{Version: 3, All: true})
	if pc.has("/robots.txt") || len(pc.items) != 0 || pc.size != 0 {
		t.Error("a change of everything must empty the cache")
	}
}

// A page rendered from data older than a change that touches it is not
// stored: it may show what the write changed. One the change does not
// touch is stored.
func TestPageCachePutAfterAChange(t *testing.T) {
	pc := newPageCache(1 << 20)
	pc.apply(0, news.Changes{Version: 5, Keys: []string{"story:1"}})
	pc.put(testPage("/articles/a", 4, "story:1"), false)
	pc.put(testPage("/articles/b", 4, "story:2"), false)
	pc.put(testPage("/articles/c", 5, "story:1"), false)
	pc.put(testPage("/unnamed", 4), false)
	for key, want := range map[string]bool{"/articles/a": false, "/articles/b": true, "/articles/c": true, "/unnamed": false} {
		if pc.has(key) != want {
			t.Errorf("cached %s = %v, want %v", key, !want, want)
		}
	}
	// A render older than every change the cache still knows is not
	// stored: what happened before is unknown.
	pc.put(testPage("/articles/d", -1, "story:3"), false)
	if pc.has("/articles/d") {
		t.Error("a page older than the changes known was stored")
	}
	for v := int64(6); v < 6+recentKept; v++ {
		pc.apply(v-1, news.Changes{Version: v, Keys: []string{"story:1"}})
	}
	pc.put(testPage("/articles/e", 4, "story:3"), false)
	pc.put(testPage("/articles/f", 5, "story:3"), false)
	if pc.has("/articles/e") || !pc.has("/articles/f") {
		t.Error("a page rendered before the oldest change kept was stored, or one after it was not")
	}
}

// keyedStore is the real store whose writes a test announces itself, with
// the keys it names.
type keyedStore struct {
	siteStore
	mu      sync.Mutex
	version int64
	log     map[int64][]string
}

func (k *keyedStore) Version() int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.version
}

func (k *keyedStore) Changes(since int64) news.Changes {
	k.mu.Lock()
	defer k.mu.Unlock()
	ch := news.Changes{Version: k.version}
	set := news.KeySet{}
	for v := since + 1; v <= k.version; v++ {
		set.Add(k.log[v]...)
	}
	ch.Keys = set.Sorted()
	return ch
}

// change announces a write that changed keys.
func (k *keyedStore) change(keys ...string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.version++
	k.log[k.version] = keys
}

// newKeyedSite is newTestSite over a keyedStore.
func newKeyedSite(t *testing.T) (*testSite, *keyedStore) {
	t.Helper()
	ts := newTestSite(t)
	ks := &keyedStore{siteStore: siteStore{ts.db, deskOf(ts.db)}, log: map[int64][]string{}}
	srv, err := New(Config{BaseURL: "https://news.example", Now: ts.clock.Now, PageCacheBytes: DefaultPageCacheBytes,
		Logger: slog.New(slog.NewTextHandler(testLog, nil))}, ks)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &testSite{Server: hs, db: ts.db, reopen: ts.reopen, srv: srv, clock: ts.clock}, ks
}

// cached fetches path and reports whether the render cache answered.
func (ts *testSite) cached(t *testing.T, path string) bool {
	t.Helper()
	before := ts.srv.CacheStats().Hits
	if resp, _ := ts.get(t, path); resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	return ts.srv.CacheStats().Hits == before+1
}

// Pages show what their keys say, and a change of keys throws away only
// the pages that show one of them.
func TestChangedKeysDropOnlyPagesShowingThem(t *testing.T) {
	ts, ks := newKeyedSite(t)
	ctx := context.Background()
	flood, err := ts.db.StoryBySlug(ctx, floodSlug)
	if err != nil {
		t.Fatal(err)
	}
	// The chips story has no neighbours, in its section or its tags: its
	// article lists the latest stories instead, the flood story among them.
	chips := "/articles/chipmaker-unveils-low-power-processor-for-laptops"
	article := "/articles/" + floodSlug
	politics := "/articles/flood-defences-debate-returns-to-city-council-agenda"
	paths := []string{"/", article, chips, politics, "/tags/flood", "/sections/sport", "/feed.xml", "/sitemap.xml", "/search?q=flood", "/robots.txt"}
	for _, p := range paths {
		ts.get(t, p)
	}
	ts.get(t, "/search?q=flood") // a search page is kept when asked again
	for _, p := range paths {
		if !ts.cached(t, p) {
			t.Fatalf("GET %s again: not from the cache", p)
		}
	}

	tests := []struct {
		keys  []string
		stale []string // the pages that must be rendered again
	}{
		{[]string{news.StoryKey(flood.ID)}, []string{"/", article, chips, politics, "/tags/flood", "/feed.xml", "/search?q=flood"}},
		{[]string{news.RelatedKey(flood.ID)}, []string{article}},
		{[]string{news.ListKey("section", "sport")}, []string{"/sections/sport"}},
		{[]string{news.ListKey("tag", "council")}, []string{politics}}, // its list is topped up from its tags
		{[]string{news.KeySitemap}, []string{"/sitemap.xml"}},
		{[]string{news.KeyFront, "tag:nothing-shown"}, []string{"/", "/feed.xml", chips}},
		{[]string{"story:999999"}, nil},
	}
	for _, tt := range tests {
		ks.change(tt.keys...)
		for _, p := range paths {
			want := !slices.Contains(tt.stale, p)
			if got := ts.cached(t, p); got != want {
				t.Errorf("after a change of %v: GET %s from the cache = %v, want %v", tt.keys, p, got, want)
			}
		}
	}
	ks.change(news.KeyAll)
	for _, p := range paths {
		if ts.cached(t, p) {
			t.Errorf("after a change of everything: GET %s from the cache", p)
		}
	}
}

// The keys a page shows go out as Surrogate-Key and Cache-Tag, cached or
// not, so that a CDN can purge by them too.
func TestSurrogateKeys(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	flood, err := ts.db.StoryBySlug(ctx, floodSlug)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want []string
	}{
		{"/articles/" + floodSlug, []string{news.StoryKey(flood.ID), news.RelatedKey(flood.ID)}},
		{"/", []string{news.KeyFront, news.StoryKey(flood.ID)}},
		{"/tags/flood", []string{"tag:flood", news.StoryKey(flood.ID)}},
		{"/sources/global-wire/feed.xml", []string{"source:global-wire", news.StoryKey(flood.ID)}},
		{"/sitemap.xml", []string{news.KeySitemap}},
		{"/search?q=vltava", []string{news.KeySearch, news.StoryKey(flood.ID)}},
	}
	for _, tt := range tests {
		for range 2 { // rendered, then cached
			resp, _ := ts.get(t, tt.path)
			sk, tags := strings.Fields(resp.Header.Get("Surrogate-Key")), strings.Split(resp.Header.Get("Cache-Tag"), ",")
			if !slices.Equal(sk, tags) {
				t.Errorf("GET %s: Surrogate-Key %v and Cache-Tag %v differ", tt.path, sk, tags)
			}
			for _, k := range tt.want {
				if !slices.Contains(sk, k) {
					t.Errorf("GET %s: Surrogate-Key %q lacks %s", tt.path, resp.Header.Get("Surrogate-Key"), k)
				}
			}
		}
	}
	if resp, _ := ts.get(t, "/robots.txt"); resp.Header.Get("Surrogate-Key") != "" {
		t.Errorf("robots.txt shows no data, but has Surrogate-Key %q", resp.Header.Get("Surrogate-Key"))
	}
}

// A page first asked for by a gzip client is kept compressed only; a
// client without gzip then gets the same bytes uncompressed, kept from
// then on.
func TestPageCacheKeepsPlainOnlyWhenAsked(t *testing.T) {
	ts := newTestSite(t)
	path := "/articles/" + floodSlug
	if resp, _ := ts.getGzipped(t, path); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("gzip client got no gzip")
	}
	plain := func() string {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("Accept-Encoding: identity answered with %s", resp.Header.Get("Content-Encoding"))
		}
		return string(b)
	}
	before := ts.srv.CacheStats()
	cached := plain()
	after := ts.srv.CacheStats()
	if after.Hits != before.Hits+1 {
		t.Fatal("plain request after a gzip one: not from the cache")
	}
	if after.Bytes <= before.Bytes {
		t.Errorf("cache bytes %d → %d: the plain page should now be kept too", before.Bytes, after.Bytes)
	}
	ts.srv.cache = nil // the same page rendered again
	if rendered := plain(); cached != rendered {
		t.Error("the plain page from the compressed copy differs from the rendered one")
	}
}

// A cached page lasts until one of its relative times would read
// differently: the front page with a story from 5 minutes ago for a
// minute, an article of yesterday's until midnight (or pageTTL).
func TestPageCacheExpiresWithItsRelativeTimes(t *testing.T) {
	ts := newTestSite(t)
	st := &news.Story{Title: "Harbour crane collapses", Body: "A crane fell into the harbour.", Source: news.Source{Name: "Harbor Times"},
		URL: "https://harbor.example/crane", Status: news.StatusPublished, PublishedAt: now.Add(-5 * time.Minute)}
	if _, err := deskOf(ts.db).UpsertStories(context.Background(), []*news.Story{st}); err != nil {
		t.Fatal(err)
	}
	// The flood article shows stories of the last days only: the new
	// story, without section or tags, is not among its related ones.
	article := "/articles/" + floodSlug
	if _, body := ts.get(t, "/"); !strings.Contains(body, "5 minutes ago") {
		t.Fatal("front page lacks the story of 5 minutes ago")
	}
	ts.get(t, article)
	ts.clock.Advance(30 * time.Second)
	if !ts.cached(t, "/") || !ts.cached(t, article) {
		t.Error("30 seconds later, the pages should still come from the cache")
	}
	ts.clock.Advance(31 * time.Second)
	if ts.cached(t, "/") {
		t.Error("a minute later, the front page came from the cache")
	}
	if _, body := ts.get(t, "/"); !strings.Contains(body, "6 minutes ago") {
		t.Error("a minute later, the front page does not say 6 minutes ago")
	}
	if !ts.cached(t, article) {
		t.Error("an article of yesterday's went after a minute")
	}
	ts.clock.Advance(pageTTL)
	if ts.cached(t, article) {
		t.Errorf("after %s, the article came from the cache", pageTTL)
	}
}

// A write throws away the pages showing what it changed and keeps the
// rest: a new sport story goes to the front page, the sport lists, the
// sport article whose related list it tops up and the chips article,
// which has no neighbours and lists the latest stories; the flood
// stories and lists stay cached.
func TestWriteKeepsUnrelatedPagesCached(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	striker := "/articles/striker-scores-twice-as-rovers-reach-the-cup-semi-final"
	chips := "/articles/chipmaker-unveils-low-power-processor-for-laptops"
	flood := "/articles/" + floodSlug
	politics := "/articles/flood-defences-debate-returns-to-city-council-agenda"
	paths := []string{"/", "/sections/sport", "/tags/football", "/feed.xml", striker, chips, flood, politics, "/tags/flood", "/sections/world"}
	for _, p := range paths {
		ts.get(t, p)
	}
	st := &news.Story{Title: "Rovers appoint a goalkeeping coach", Body: "The club named a former keeper to train its goalkeepers this season.",
		Source: news.Source{Name: "Harbor Times"}, Section: news.Section{Name: "Sport"}, Tags: news.NewTags([]string{"football", "cup"}),
		URL: "https://harbor.example/final", Status: news.StatusPublished, PublishedAt: now.Add(-time.Minute)}
	from := ts.db.Version()
	if _, err := deskOf(ts.db).UpsertStories(ctx, []*news.Story{st}); err != nil {
		t.Fatal(err)
	}
	changesByKey(t, ts.db, from)
	for _, p := range paths {
		related := !slices.Contains([]string{flood, politics, "/tags/flood", "/sections/world"}, p)
		if got := ts.cached(t, p); got == related {
			t.Errorf("after a new sport story: GET %s from the cache = %v, want %v", p, got, !related)
		}
	}
	for _, p := range []string{"/", "/sections/sport", striker} {
		if _, body := ts.get(t, p); !strings.Contains(body, st.Title) {
			t.Errorf("GET %s does not show the new story", p)
		}
	}

	// An edit of the flood story: its article, its copy's (which names its
	// source among the versions), the flood lists; not the sport lists.
	copyOf := "/articles/river-bursts-banks-and-floods-prague-old-town"
	for _, p := range []string{copyOf, "/sections/sport", "/tags/football"} {
		ts.get(t, p)
	}
	old, err := ts.db.StoryBySlug(ctx, floodSlug)
	if err != nil {
		t.Fatal(err)
	}
	full, err := ts.db.StoryByID(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	full.Title = "Vltava floods Prague old town: the latest"
	from = ts.db.Version()
	if err := deskOf(ts.db).UpdateStory(ctx, full, full.Revision, 0); err != nil {
		t.Fatal(err)
	}
	changesByKey(t, ts.db, from)
	if ts.cached(t, copyOf) {
		t.Error("after an edit of the flood story, its copy's article came from the cache")
	}
	for _, p := range []string{flood, "/tags/flood", "/"} {
		if _, body := ts.get(t, p); !strings.Contains(body, "the latest") {
			t.Errorf("after the edit, GET %s still shows the old title", p)
		}
	}
	for _, p := range []string{"/sections/sport", "/tags/football"} {
		if !ts.cached(t, p) {
			t.Errorf("an edit of the flood story threw away %s", p)
		}
	}
}

// changesByKey checks that the store's change log names the keys the
// writes since version from changed (web.ChangeLog), rather than saying
// everything changed (news.Changes.All): only then does a write keep the
// cached pages it does not touch. Both stores' logs name them.
func changesByKey(t *testing.T, db testStore, from int64) {
	t.Helper()
	if db.Changes(from).All {
		t.Fatalf("the change log says everything changed since version %d, want the keys", from)
	}
}

// What another process (an import of the same file) writes reaches the
// server's cache through the change log: the pages it touches go once the
// poller has seen it, the others stay.
func TestOtherProcessWritesReachTheCache(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	other := ts.reopen()
	flood := "/articles/" + floodSlug
	for _, p := range []string{"/", "/sections/sport", flood} {
		ts.get(t, p)
	}
	from := ts.db.Version()
	st := &news.Story{Title: "Harbor Times sport: a new coach for Rovers", Body: "Rovers named a new coach.",
		Source: news.Source{Name: "Harbor Times"}, Section: news.Section{Name: "Sport"}, Tags: news.NewTags([]string{"football"}),
		URL: "https://harbor.example/coach", Status: news.StatusPublished, PublishedAt: now.Add(-time.Minute)}
	if _, err := desk.New(other).UpsertStories(ctx, []*news.Story{st}); err != nil {
		t.Fatal(err)
	}
	ts.awaitVersionOf(t, other)
	for _, p := range []string{"/", "/sections/sport"} {
		if _, body := ts.get(t, p); !strings.Contains(body, st.Title) {
			t.Errorf("GET %s lacks the story another process wrote", p)
		}
	}
	changesByKey(t, ts.db, from)
	if !ts.cached(t, flood) {
		t.Error("another process's sport story threw away the flood article")
	}
}

// An article whose comments close after some days is cached until they
// close, then shows the form closed; one whose comments closed long ago
// is cached like any other.
func TestPageCacheUntilCommentsClose(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	if err := ts.db.SetCommentSettings(ctx, news.CommentSettings{Open: true, CloseAfterDays: 1}); err != nil {
		t.Fatal(err)
	}
	old := "/articles/" + floodSlug // published yesterday, 10:00
	if _, body := ts.get(t, old); !strings.Contains(body, "Comments are closed") {
		t.Fatal("comments should be closed a day after publication")
	}
	if !ts.cached(t, old) {
		t.Error("an article whose comments closed long ago is not cached")
	}
	// Published two days ago, 7 minutes past the hour: its comments close
	// in 7 minutes, before any relative time on the page changes and
	// before pageTTL.
	st := &news.Story{Title: "Council approves the harbour budget", Body: "The council approved the budget.",
		Source: news.Source{Name: "Metro Ledger"}, URL: "https://ledger.example/budget", Status: news.StatusPublished,
		PublishedAt: now.Add(-48*time.Hour + 7*time.Minute)}
	if _, err := deskOf(ts.db).UpsertStories(ctx, []*news.Story{st}); err != nil {
		t.Fatal(err)
	}
	if err := ts.db.SetCommentSettings(ctx, news.CommentSettings{Open: true, CloseAfterDays: 2}); err != nil {
		t.Fatal(err)
	}
	article := "/articles/" + st.Slug
	if _, body := ts.get(t, article); strings.Contains(body, "Comments are closed") {
		t.Fatal("comments should be open for two days")
	}
	if !ts.cached(t, article) {
		t.Error("an article with comments open is not cached")
	}
	ts.clock.Advance(8 * time.Minute)
	if _, body := ts.get(t, article); !strings.Contains(body, "Comments are closed") {
		t.Error("the cached article still offers the form after the comments closed")
	}
}

// A store that keeps no change log (one that is not a ChangeLog) empties
// the render cache on every write.
func TestStoreWithoutChangeLogEmptiesTheCache(t *testing.T) {
	ts := newTestSite(t)
	srv, err := New(Config{BaseURL: "https://news.example", Now: ts.clock.Now, PageCacheBytes: DefaultPageCacheBytes,
		Logger: slog.New(slog.NewTextHandler(testLog, nil))}, struct{ Store }{storeOf(ts.db)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	plain := &testSite{Server: hs, db: ts.db, reopen: ts.reopen, srv: srv, clock: ts.clock}
	flood := "/articles/" + floodSlug
	plain.get(t, flood)
	if !plain.cached(t, flood) {
		t.Fatal("not cached before the write")
	}
	st := &news.Story{Title: "Rovers appoint a goalkeeping coach", Body: "The club named a former keeper.",
		Source: news.Source{Name: "Harbor Times"}, Section: news.Section{Name: "Sport"}, URL: "https://harbor.example/coach",
		Status: news.StatusPublished, PublishedAt: now.Add(-time.Minute)}
	if _, err := deskOf(ts.db).UpsertStories(context.Background(), []*news.Story{st}); err != nil {
		t.Fatal(err)
	}
	if plain.cached(t, flood) {
		t.Error("without a change log, a write kept a page cached")
	}
}
