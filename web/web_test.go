package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"newsdesk/internal/ingest"
)

var now = time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)

// testLog receives the server log; -v shows it.
var testLog io.Writer = io.Discard

// testSite is a real server on 127.0.0.1 over a temporary database
// holding testdata/stories.ndjson: an SQLite file, or a PostgreSQL schema
// when NEWSDESK_TEST_STORE=postgres (store_test.go).
type testSite struct {
	*httptest.Server
	db     testStore
	reopen func() testStore // the same database opened again: another process or node
	srv    *Server
	clock  *testClock
}

// testClock is the site's clock; tests move it forward.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// awaitVersionOf watches for other processes' writes, as serve does, until
// the site's store has seen the data version of other, another handle on
// its database.
func (ts *testSite) awaitVersionOf(t *testing.T, other testStore) {
	t.Helper()
	watch, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	go ts.db.WatchVersion(watch, 10*time.Millisecond)
	for deadline := time.Now().Add(10 * time.Second); ts.db.Version() < other.Version(); {
		if time.Now().After(deadline) {
			t.Fatalf("the site's store never saw version %d (at %d)", other.Version(), ts.db.Version())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{t: now}
	db, reopen := openStore(t, clock.Now)
	f, err := os.Open("testdata/stories.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rep, err := ingest.Import(ctx, deskOf(db), f, ""); err != nil || len(rep.Rejected) > 0 {
		t.Fatalf("import: %v %v", rep, err)
	}
	srv, err := New(Config{BaseURL: "https://news.example", Now: clock.Now, PageCacheBytes: DefaultPageCacheBytes,
		Logger: slog.New(slog.NewTextHandler(testLog, nil))}, storeOf(db))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &testSite{Server: ts, db: db, reopen: reopen, srv: srv, clock: clock}
}

// get fetches path and returns the response with its body read.
func (ts *testSite) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	return resp, string(readBody(t, resp, err))
}

// getGzipped fetches path as a client that takes gzip and does not
// unpack it: the response and its body as sent.
func (ts *testSite) getGzipped(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	return resp, readBody(t, resp, err)
}

// readBody reads and closes the body of resp, the answer to a request
// that failed with err if not nil.
func readBody(t *testing.T, resp *http.Response, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// page fetches path, checks its status and parses it.
func (ts *testSite) page(t *testing.T, path string, status int) *goquery.Document {
	t.Helper()
	resp, body := ts.get(t, path)
	if resp.StatusCode != status {
		t.Fatalf("GET %s = %d, want %d", path, resp.StatusCode, status)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

const floodSlug = "vltava-floods-prague-old-town-as-river-bursts-its-banks"

func TestArticleAnatomy(t *testing.T) {
	ts := newTestSite(t)
	doc := ts.page(t, "/articles/"+floodSlug, http.StatusOK)

	art := doc.Find("article").First()
	if got := art.Find("h1").Text(); got != "Vltava floods Prague old town as river bursts its banks" {
		t.Errorf("h1 = %q", got)
	}
	if !strings.Contains(art.Text(), "PRAGUE (Global Wire)") {
		t.Error("article lacks the dateline")
	}
	if href, _ := art.Find(`a[href="/sources/global-wire"]`).Attr("href"); href == "" {
		t.Error("article lacks the source link")
	}
	if !strings.Contains(art.Text(), "Jana Dvorak") {
		t.Error("article lacks the byline")
	}
	tm := art.Find("time[datetime]").First()
	if dt, _ := tm.Attr("datetime"); dt != "2026-03-15T10:00:00Z" {
		t.Errorf("time datetime = %q", dt)
	}
	if tm.Text() != "yesterday" {
		t.Errorf("time text = %q, want %q", tm.Text(), "yesterday")
	}
	if art.Find("p:contains('Rescue crews used boats')").Length() == 0 {
		t.Error("article lacks its body")
	}

	tags := doc.Find("section#hashtags")
	if tags.Find("h2").Text() != "Hashtags" {
		t.Errorf("hashtags heading = %q", tags.Find("h2").Text())
	}
	if a := tags.Find(`a[href="/tags/flood"]`); a.Text() != "#flood" {
		t.Errorf("flood tag link = %q", a.Text())
	}
	kp := doc.Find("section#key-points")
	if kp.Find("li").Length() != 3 || !strings.Contains(kp.Text(), "min read") {
		t.Errorf("key points = %d items, text %q", kp.Find("li").Length(), kp.Text())
	}
	rel := doc.Find("aside#related")
	if rel.Find("h2").Text() != "Related Articles" {
		t.Errorf("related heading = %q", rel.Find("h2").Text())
	}
	if rel.Find("li").Length() == 0 || rel.Find("li").Length() > 6 {
		t.Errorf("related has %d items, want 1..6", rel.Find("li").Length())
	}
	rel.Find("a").Each(func(_ int, a *goquery.Selection) {
		if href, _ := a.Attr("href"); href == "/articles/"+floodSlug {
			t.Error("related links to the story itself")
		}
	})
	if !strings.Contains(doc.Find("article").Text(), "Also covered by") {
		t.Error("the copy from Continental Press is not named")
	}
	com := doc.Find("section#comments")
	if com.Find("h2").Text() != "Comments" || !strings.Contains(com.Text(), "No comments yet...") {
		t.Errorf("comments section = %q", com.Text())
	}

	head := doc.Find("head")
	for _, sel := range []string{"title", `meta[name="description"]`, `link[rel="canonical"]`,
		`meta[property="og:title"]`, `meta[name="twitter:card"]`, `script[type="application/ld+json"]`} {
		if head.Find(sel).Length() == 0 {
			t.Errorf("head lacks %s", sel)
		}
	}
	// An aggregated copy names its original as the canonical page.
	if href, _ := head.Find(`link[rel="canonical"]`).Attr("href"); href != "https://globalwire.example/flood-1" {
		t.Errorf("canonical = %q, want the original's URL", href)
	}
}

func TestPages(t *testing.T) {
	ts := newTestSite(t)
	tests := []struct {
		path   string
		status int
		want   string // a selector that must match
	}{
		{"/", 200, "article.card--lead h3 a"},
		{"/?page=2", 404, "main form[action='/search']"},
		{"/?page=999999", 404, "main form[action='/search']"},
		{"/?page=abc", 400, "main h1"},
		{"/?page=0", 400, "main h1"},
		{"/?page=-1", 400, "main h1"},
		{"/tags/flood", 200, "ol.story-list li"},
		{"/tags/flood?page=2", 404, "nav.section-nav"},
		{"/sources/global-wire", 200, "ol.story-list li"},
		{"/sections/world", 200, "ol.story-list li"},
		{"/tags/nope", 404, "form[action='/search'] input[name=q]"},
		{"/articles/nope", 404, "main form[action='/search'] input[name=q]"},
		{"/no/such/route", 404, "main form[action='/search']"},
	}
	for _, tt := range tests {
		doc := ts.page(t, tt.path, tt.status)
		if doc.Find(tt.want).Length() == 0 {
			t.Errorf("GET %s: no %s", tt.path, tt.want)
		}
	}
}

func TestFrontPage(t *testing.T) {
	ts := newTestSite(t)
	doc := ts.page(t, "/", 200)
	if got := doc.Find(".card--lead h3").Text(); !strings.Contains(got, "script") {
		// The newest fixture story is the hostile one.
		t.Errorf("lead story = %q, want the newest", got)
	}
	if doc.Find("section.section-block").Length() < 3 {
		t.Errorf("front page has %d section blocks, want one per section", doc.Find("section.section-block").Length())
	}
	if doc.Find(`.trending a[href="/tags/flood"]`).Length() == 0 {
		t.Error("trending hashtags lack #flood")
	}
}

func TestHostileFieldsRenderInert(t *testing.T) {
	ts := newTestSite(t)
	doc := ts.page(t, "/", 200)
	href, _ := doc.Find(".card--lead h3 a").Attr("href")
	resp, body := ts.get(t, href)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d", href, resp.StatusCode)
	}
	page, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	page.Find("*").Each(func(_ int, el *goquery.Selection) {
		for _, a := range el.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s> has event handler %s=%q", goquery.NodeName(el), a.Key, a.Val)
			}
			if v := strings.ToLower(strings.TrimSpace(a.Val)); (a.Key == "href" || a.Key == "src") && strings.HasPrefix(v, "javascript:") {
				t.Errorf("<%s %s=%q>", goquery.NodeName(el), a.Key, a.Val)
			}
		}
		if n := goquery.NodeName(el); n == "svg" || n == "iframe" || n == "object" {
			t.Errorf("page contains <%s>", n)
		}
	})
	if got := page.Find("h1").Text(); !strings.Contains(got, `<script>alert("t")</script>`) {
		t.Errorf("h1 = %q, want the title shown as text", got)
	}
	if n := page.Find("script").Length(); n != 1 {
		t.Errorf("page has %d script elements, want only the JSON-LD one", n)
	}
}

func TestStaticAssets(t *testing.T) {
	ts := newTestSite(t)
	doc := ts.page(t, "/", 200)
	href, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	if !strings.HasPrefix(href, "/static/css/site.") || href == "/static/css/site.css" {
		t.Fatalf("stylesheet href = %q, want a hashed name", href)
	}
	resp, body := ts.get(t, href)
	if resp.StatusCode != 200 || body == "" {
		t.Fatalf("GET %s = %d", href, resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control = %q", cc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, p := range []string{"/static/css/site.css", "/static/../go.mod", "/static/%2e%2e/static.go", "/static/static.go"} {
		if resp, _ := ts.get(t, p); resp.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestHealth(t *testing.T) {
	ts := newTestSite(t)
	resp, body := ts.get(t, "/healthz")
	if resp.StatusCode != 200 || body != "ok" {
		t.Errorf("GET /healthz = %d %q", resp.StatusCode, body)
	}
}
