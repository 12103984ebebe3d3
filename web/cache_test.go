package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/news"
)

func TestPageCacheServesAndRevalidates(t *testing.T) {
	ts := newTestSite(t)
	path := "/articles/" + floodSlug
	first, body1 := ts.get(t, path)
	before := ts.srv.CacheStats()
	second, body2 := ts.get(t, path)
	after := ts.srv.CacheStats()
	if after.Hits != before.Hits+1 {
		t.Errorf("second request: hits %d → %d, want a cache hit", before.Hits, after.Hits)
	}
	if body1 != body2 || first.Header.Get("ETag") == "" || first.Header.Get("ETag") != second.Header.Get("ETag") {
		t.Errorf("cached page differs from the rendered one")
	}
	for _, h := range []string{"Cache-Control", "Last-Modified", "Vary"} {
		if second.Header.Get(h) == "" {
			t.Errorf("cached page lacks %s", h)
		}
	}
	if cc := second.Header.Get("Cache-Control"); cc != DefaultPageCacheControl {
		t.Errorf("Cache-Control = %q", cc)
	}

	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	req.Header.Set("If-None-Match", first.Header.Get("ETag"))
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", resp.StatusCode)
	}

	// A gzip client gets the compressed bytes of the same page.
	resp, gz := ts.getGzipped(t, path)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != body1 {
		t.Error("gzip body differs from the plain page")
	}
}

// After a write returns, no reader sees a page rendered before it.
func TestPageCacheInvalidatedByWrites(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	paths := []string{"/", "/articles/" + floodSlug, "/tags/flood", "/sources/global-wire", "/sections/world",
		"/search?q=vltava", "/feed.xml", "/tags/flood/feed.xml"}
	for _, p := range paths {
		ts.get(t, p) // warm the cache
	}
	tests := []struct {
		name  string
		story news.Story
		want  string
	}{
		{"edit", news.Story{Title: "Vltava floods Prague: latest", Body: "Updated text about the Vltava flood.", URL: "https://globalwire.example/flood-1"}, "floods Prague: latest"},
		{"new story", news.Story{Title: "Fresh Vltava flood warning", Body: "A new warning for the Vltava.", URL: "https://globalwire.example/flood-2"}, "flood warning"},
	}
	for _, tt := range tests {
		st := tt.story
		st.Source = news.Source{Name: "Global Wire"}
		st.Section = news.Section{Name: "World"}
		st.Tags = news.NewTags([]string{"flood"})
		st.Status = news.StatusPublished
		st.PublishedAt = now.Add(-1)
		if _, err := deskOf(ts.db).UpsertStories(ctx, []*news.Story{&st}); err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			if p == "/articles/"+floodSlug && tt.name == "new story" {
				continue
			}
			if _, body := ts.get(t, p); !strings.Contains(body, tt.want) {
				t.Errorf("%s: GET %s still stale, lacks %q", tt.name, p, tt.want)
			}
		}
	}
}

// Every kind of write shows on the cached pages it affects at once.
func TestPageCacheEveryKindOfWrite(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	st, err := ts.db.StoryBySlug(ctx, floodSlug)
	if err != nil {
		t.Fatal(err)
	}
	full, err := ts.db.StoryByID(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	warm := func(paths ...string) {
		for _, p := range paths {
			ts.get(t, p)
		}
	}
	article := "/articles/" + floodSlug
	tests := []struct {
		name  string
		paths []string
		write func() error
		check func(path, body string) bool
	}{
		{"unpublish", []string{"/", "/tags/prague", "/feed.xml"}, func() error {
			s := *full
			s.Status = news.StatusDraft
			return deskOf(ts.db).UpdateStory(ctx, &s, full.Revision, 0)
		}, func(_, body string) bool { return !strings.Contains(body, "Vltava floods Prague") }},
		{"republish", []string{"/", "/tags/prague"}, func() error {
			cur, _ := ts.db.StoryByID(ctx, st.ID)
			s := *cur
			s.Status = news.StatusPublished
			return deskOf(ts.db).UpdateStory(ctx, &s, cur.Revision, 0)
		}, func(_, body string) bool { return strings.Contains(body, "Vltava floods Prague") }},
		{"trash", []string{"/", article}, func() error { return deskOf(ts.db).TrashStory(ctx, st.ID) },
			func(path, body string) bool { return !strings.Contains(body, "Vltava floods Prague") }},
		{"restore", []string{"/", article}, func() error { return deskOf(ts.db).RestoreStory(ctx, st.ID) },
			func(_, body string) bool { return strings.Contains(body, "Vltava floods Prague") }},
		{"comment approved", []string{article}, func() error {
			c := &news.Comment{StoryID: st.ID, Name: "Reader", Body: "A cached comment"}
			if err := ts.db.AddComment(ctx, c, false); err != nil {
				return err
			}
			return ts.db.ModerateComments(ctx, []int64{c.ID}, news.CommentApproved)
		}, func(_, body string) bool { return strings.Contains(body, "A cached comment") }},
		{"comment removed", []string{article}, func() error {
			q, _ := ts.db.ModerationQueue(ctx, news.CommentApproved, 10)
			return ts.db.ModerateComments(ctx, []int64{q[0].ID}, news.CommentRejected)
		}, func(_, body string) bool { return !strings.Contains(body, "A cached comment") }},
		{"scheduled go-live", []string{"/"}, func() error {
			s := &news.Story{Title: "Scheduled harbour story", Body: "Soon.", Source: news.Source{Name: "N"},
				Status: news.StatusScheduled, PublishedAt: now.Add(time.Minute)}
			if err := deskOf(ts.db).CreateStory(ctx, s, 0); err != nil {
				return err
			}
			warm("/")
			ts.clock.Advance(2 * time.Minute)
			_, err := deskOf(ts.db).PublishDue(ctx)
			return err
		}, func(_, body string) bool { return strings.Contains(body, "Scheduled harbour story") }},
		{"tag renamed", []string{article, "/tags/flood"}, func() error {
			tag, _ := ts.db.Tag(ctx, "flood")
			return deskOf(ts.db).Rename(ctx, "tags", tag.ID, "Floods")
		}, func(_, body string) bool { return strings.Contains(body, "#Floods") }},
	}
	for _, tt := range tests {
		warm(tt.paths...)
		if err := tt.write(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for _, p := range tt.paths {
			if _, body := ts.get(t, p); !tt.check(p, body) {
				t.Errorf("%s: GET %s is stale", tt.name, p)
			}
		}
	}
}

// TestCacheKeyIgnoresUnknownParameters: query parameters a page does not
// read share its cache entry; the ones it reads do not.
func TestCacheKeyIgnoresUnknownParameters(t *testing.T) {
	tests := []struct{ url, want string }{
		{"/?utm_source=x&page=2&zz=1", "/?page=2"},
		{"/?page=", "/"},
		{"/articles/a?nocache=123", "/articles/a"},
		{"/articles/a?comment=pending&x=1", "/articles/a?comment=pending"},
		{"/articles/a/feed.xml?page=3", "/articles/a/feed.xml"},
		{"/search?x=1&source=ap&q=flood+risk&page=2", "/search?page=2&q=flood+risk&source=ap"},
		{"/search?q=a&q=b", "/search?q=a"},
		{"/tags/x?page=2&utm=1", "/tags/x?page=2"},
		{"/tags/x/feed.xml?page=2", "/tags/x/feed.xml"},
		{"/sitemap.xml?x=1", "/sitemap.xml"},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", tt.url, nil)
		if got := cacheKey(r); got != tt.want {
			t.Errorf("cacheKey(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}

	ts := newTestSite(t)
	ts.get(t, "/?utm_source=a")
	before := ts.srv.CacheStats()
	for i := range 5 {
		ts.get(t, fmt.Sprintf("/?cachebuster=%d", i))
	}
	after := ts.srv.CacheStats()
	if after.Entries != before.Entries || after.Hits != before.Hits+5 {
		t.Errorf("5 unknown parameters: entries %d → %d, hits %d → %d; want no new entries and 5 hits",
			before.Entries, after.Entries, before.Hits, after.Hits)
	}
}

// TestCachedAndRenderedResponsesShareHeaders: a cache hit carries exactly
// the headers of the routed response it replays, and so does a reader page
// with the cache off (validators and conditional requests included).
func TestCachedAndRenderedResponsesShareHeaders(t *testing.T) {
	ts := newTestSite(t)
	for _, path := range []string{"/articles/" + floodSlug, "/feed.xml", "/search?q=flood"} {
		miss, _ := ts.get(t, path)
		if strings.HasPrefix(path, searchPath) {
			ts.get(t, path) // kept when asked again
		}
		hit, _ := ts.get(t, path)
		if names(miss.Header) != names(hit.Header) {
			t.Errorf("%s: routed headers %s, cached %s", path, names(miss.Header), names(hit.Header))
		}
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Cache-Control", "Content-Type"} {
			if miss.Header.Get(h) != hit.Header.Get(h) {
				t.Errorf("%s: %s routed %q, cached %q", path, h, miss.Header.Get(h), hit.Header.Get(h))
			}
		}
	}

	ts.srv.cache = nil // the same site with the render cache off
	res, _ := ts.get(t, "/feed.xml")
	tag := res.Header.Get("ETag")
	if tag == "" || res.Header.Get("Last-Modified") == "" {
		t.Fatalf("cache off: ETag %q, Last-Modified %q; want both", tag, res.Header.Get("Last-Modified"))
	}
	req, _ := http.NewRequest("GET", ts.URL+"/feed.xml", nil)
	req.Header.Set("If-None-Match", tag)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("cache off, If-None-Match: %d, want 304", resp.StatusCode)
	}
}

// names lists the header names of h other than Date, sorted.
func names(h http.Header) string {
	var out []string
	for k := range h {
		if k != "Date" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func TestRequestIDIsCheckedNotEchoed(t *testing.T) {
	ts := newTestSite(t)
	for _, tt := range []struct {
		sent string
		kept bool
	}{
		{"proxy-42.a_b", true},
		{"<script>", false},
		{strings.Repeat("a", 65), false},
		{"a b", false},
	} {
		for range 2 { // routed, then cached
			req, _ := http.NewRequest("GET", ts.URL+"/", nil)
			req.Header.Set("X-Request-ID", tt.sent)
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("X-Request-ID")
			if (got == tt.sent) != tt.kept || got == "" {
				t.Errorf("X-Request-ID %q answered with %q, want kept=%v", tt.sent, got, tt.kept)
			}
		}
	}
}

// TestPageCacheCountsItsMemory fills a page cache with article-like pages,
// each showing eight keys as an article does, and compares the bytes the
// cache counts (what --cache-mb bounds) with what it holds on the heap.
func TestPageCacheCountsItsMemory(t *testing.T) {
	const pages = 4000
	rnd := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the minister said on tuesday that flood defences would be raised along the river before winter council members asked how much it would cost and who would pay")
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>A story</title></head><body><article>")
	for b.Len() < 15000 {
		b.WriteString(words[rnd.IntN(len(words))])
		b.WriteByte(' ')
		if rnd.IntN(12) == 0 {
			fmt.Fprintf(&b, "%d</p><p>", rnd.IntN(100000))
		}
	}
	body := []byte(b.String()) // shared: the cache keeps only compressed copies
	heap := func() uint64 {
		runtime.GC()
		runtime.GC() // and what the pools let go
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}

	before := heap()
	pc := newPageCache(1 << 30)
	now := time.Now()
	for i := range pages {
		p := newPage(fmt.Sprintf("/articles/a-story-of-some-length-%d", i), 1, now, "text/html; charset=UTF-8", body, false)
		p.keys = []string{news.RelatedKey(int64(i)), news.StoryKey(int64(i))}
		for range 6 { // the related stories, rarely on another page
			p.keys = append(p.keys, news.StoryKey(rnd.Int64N(100*pages)))
		}
		slices.Sort(p.keys)
		p.keys = slices.Compact(p.keys)
		p.named = true
		p.surrogate, p.tags = strings.Join(p.keys, " "), strings.Join(p.keys, ",")
		p.prepare(DefaultPageCacheControl)
		pc.put(p, false)
	}
	held := int64(heap()) - int64(before)
	runtime.KeepAlive(pc)

	ratio := float64(held) / float64(pc.size)
	t.Logf("%d pages: counted %d B, heap grew %d B (%.2f×)", len(pc.items), pc.size, held, ratio)
	if len(pc.items) != pages || ratio < 0.85 || ratio > 1.15 {
		t.Errorf("the cache counts %d B for %d pages, the heap holds %d B more (%.2f×): want within 15 %%", pc.size, len(pc.items), held, ratio)
	}
}

// TestPageCacheIndexStaysConsistent puts, replaces, evicts and invalidates
// pages at random and checks after each step that every cached page is in
// the list of each of its keys at the place it records, and that the lists
// hold nothing else.
func TestPageCacheIndexStaysConsistent(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	pc := newPageCache(200 << 10) // about 120 pages: puts evict
	body := []byte(strings.Repeat("<p>words of a page</p>", 100))
	key := func() string { return news.StoryKey(rnd.Int64N(40)) }
	version := int64(1)
	for step := range 3000 {
		switch rnd.IntN(10) {
		case 0:
			keys := []string{key(), key()}
			slices.Sort(keys)
			version++
			pc.apply(version-1, news.Changes{Version: version, Keys: keys})
		default:
			p := newPage(fmt.Sprintf("/p/%d", rnd.IntN(400)), version, time.Now(), "text/html", body, false)
			p.keys = []string{key(), key(), key(), news.KeyFront}
			slices.Sort(p.keys)
			p.keys = slices.Compact(p.keys)
			p.named = true
			pc.put(p, false)
		}
		listed := 0
		for k, on := range pc.byKey {
			for i, p := range on {
				if el, ok := pc.items[p.key]; !ok || el.Value.(*page) != p {
					t.Fatalf("step %d: key %s lists a page no longer cached", step, k)
				}
				if j := slices.Index(p.keys, k); j < 0 || int(p.pos[j]) != i {
					t.Fatalf("step %d: page %s is at %d in the list of %s, records %v", step, p.key, i, k, p.pos)
				}
			}
			listed += len(on)
		}
		want := 0
		for _, el := range pc.items {
			want += len(el.Value.(*page).keys)
		}
		if listed != want {
			t.Fatalf("step %d: the lists hold %d entries, the cached pages have %d keys", step, listed, want)
		}
	}
}

// Search pages are kept on their second request: a flood of unique
// searches leaves the cache as it was, and a search asked again is then
// served from it. Other pages are kept when first rendered. A page sent
// without being kept is gzipped all the same for a client that takes it.
func TestSearchPagesKeptWhenAskedAgain(t *testing.T) {
	ts := newTestSite(t)
	article := "/articles/" + floodSlug
	ts.get(t, article)
	if !ts.cached(t, article) {
		t.Fatalf("%s not kept when first rendered", article)
	}
	before := ts.srv.CacheStats()
	for i := range 50 {
		ts.get(t, fmt.Sprintf("/search?q=flood+%d", i))
	}
	if after := ts.srv.CacheStats(); after.Entries != before.Entries || after.Bytes != before.Bytes {
		t.Errorf("50 unique searches: %d entries (%d B) → %d (%d B); want none kept", before.Entries, before.Bytes, after.Entries, after.Bytes)
	}

	search := "/search?q=flood"
	if res, _ := ts.getGzipped(t, search); res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("first ask of %s: Content-Encoding %q, want gzip", search, res.Header.Get("Content-Encoding"))
	}
	if ts.cached(t, search) {
		t.Errorf("%s served from the cache on its second request, before it was kept", search)
	}
	if !ts.cached(t, search) {
		t.Errorf("%s not served from the cache on its third request", search)
	}
	if !ts.cached(t, article) {
		t.Errorf("%s no longer cached after the searches", article)
	}
}

// askedSet remembers a key for at least askedKept keys asked after it,
// and forgets it after twice as many.
func TestAskedSetForgetsTheOldest(t *testing.T) {
	var a askedSet
	if a.again("q=harbour") {
		t.Fatal("a key never asked reported as asked before")
	}
	for i := range askedKept - 1 {
		a.again(fmt.Sprint("other ", i))
	}
	if !a.again("q=harbour") {
		t.Errorf("forgotten after %d other keys", askedKept-1)
	}
	for i := range 2 * askedKept {
		a.again(fmt.Sprint("more ", i))
	}
	if a.again("q=harbour") {
		t.Errorf("still remembered after %d other keys", 2*askedKept)
	}
}
