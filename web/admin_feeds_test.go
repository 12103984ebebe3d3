package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"newsdesk/internal/fetch"
	"newsdesk/internal/news"
	"newsdesk/internal/poll"
)

// feedServer serves an RSS feed of n items at /feed.xml and an HTML page
// at /page.html.
func feedServer(t *testing.T, n int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			var items strings.Builder
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&items, `<item><title>Wire story number %d about the harbour</title><link>https://wire.example/%d</link><description>Summary %d of the harbour works.</description><pubDate>Mon, 16 Mar 2026 10:%02d:00 GMT</pubDate></item>`, i, i, i, i)
			}
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Wire</title>%s</channel></rss>`, items.String())
		case "/page.html":
			fmt.Fprint(w, "<!doctype html><html><body>A page</body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newFeedSite is the test site with a poller and a fetcher allowed to
// reach 127.0.0.1, as `serve --allow-private-fetch` has.
func newFeedSite(t *testing.T) *testSite {
	t.Helper()
	ts := newTestSite(t)
	get := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	p := poll.New(poll.Config{Store: ts.db, Get: get, Import: poll.IngestInto(deskOf(ts.db)), Now: ts.clock.Now,
		Log: slog.New(slog.DiscardHandler), Jitter: func(d time.Duration) time.Duration { return d }})
	srv, err := New(Config{BaseURL: "https://news.example", Now: ts.clock.Now, Logger: slog.New(slog.DiscardHandler),
		Feeds: Feeds{Poller: p, Get: get}}, storeOf(ts.db))
	if err != nil {
		t.Fatal(err)
	}
	ts.srv = srv
	ts.Config.Handler = srv
	return ts
}

func parse(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSourcesPageAddsFetchesAndRemovesFeeds(t *testing.T) {
	ts := newFeedSite(t)
	feeds := feedServer(t, 20)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	ed := ts.browser(t)
	ed.login("ed@example.com")

	// A page that is no feed is refused, with everything typed kept.
	form := url.Values{"source": {"Harbour Wire"}, "url": {feeds.URL + "/page.html"}, "every": {"10m"}}
	resp, body := ed.post("/admin/sources", "/admin/feeds", form)
	doc := parse(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("adding an HTML page = %d, want 422", resp.StatusCode)
	}
	if v, _ := doc.Find("#feed-url").Attr("value"); v != feeds.URL+"/page.html" {
		t.Errorf("the URL typed is not kept: %q", v)
	}
	if v, _ := doc.Find("#feed-source").Attr("value"); v != "Harbour Wire" {
		t.Errorf("the source typed is not kept: %q", v)
	}
	if v, _ := doc.Find("#feed-interval").Attr("value"); v != "10m" {
		t.Errorf("the interval typed is not kept: %q", v)
	}
	if msg := doc.Find("#url-error").Text(); msg != "This address could not be used: The feed could not be read: not an RSS, Atom or JSON feed (root element <html>)" {
		t.Errorf("URL error = %q", msg)
	}
	for every, want := range map[string]string{"5s": "Poll at most every 10s.", "soon": "Write the interval as a duration"} {
		resp, body := ed.post("/admin/sources", "/admin/feeds", url.Values{"source": {"Harbour Wire"}, "url": {feeds.URL + "/feed.xml"}, "every": {every}})
		if msg := parse(t, body).Find("#interval-error").Text(); resp.StatusCode != 422 || !strings.HasPrefix(msg, want) {
			t.Errorf("interval %q = %d %q, want 422 and %q", every, resp.StatusCode, msg, want)
		}
	}

	// A feed: checked by one fetch, added, then fetched now.
	form.Set("url", feeds.URL+"/feed.xml")
	resp, _ = ed.post("/admin/sources", "/admin/feeds", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding a feed = %d, want 303", resp.StatusCode)
	}
	_, body = ed.do("GET", resp.Header.Get("Location"), nil)
	doc = parse(t, body)
	if msg := doc.Find(".notice--ok").Text(); !strings.Contains(msg, "found 20 items") {
		t.Errorf("notice after adding = %q, want found 20 items", msg)
	}
	list, err := ts.db.Feeds(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("feeds = %+v, %v", list, err)
	}
	id := list[0].ID
	row := doc.Find(fmt.Sprintf("#feed-%d", id))
	if !strings.Contains(row.Text(), "Not fetched yet") || !strings.Contains(row.Text(), "10m") {
		t.Errorf("new feed row = %q", row.Text())
	}
	resp, _ = ed.post("/admin/sources", fmt.Sprintf("/admin/feeds/%d/fetch", id), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("fetch now = %d", resp.StatusCode)
	}
	_, body = ed.do("GET", resp.Header.Get("Location"), nil)
	doc = parse(t, body)
	if msg := doc.Find(".notice--ok").Text(); msg != "Fetched: 20 new stories, 0 updated." {
		t.Errorf("notice after fetch now = %q", msg)
	}
	row = doc.Find(fmt.Sprintf("#feed-%d", id))
	cells := row.Find("td")
	if got := strings.TrimSpace(cells.Eq(3).Text()); got != "HTTP 200: OK" || strings.TrimSpace(cells.Eq(4).Text()) != "20" {
		t.Errorf("row after fetch now: status %q, added %q", got, cells.Eq(4).Text())
	}
	if dt, ok := cells.Eq(2).Find("time").Attr("datetime"); !ok || dt != now.Format(time.RFC3339) {
		t.Errorf("last fetch time = %q", dt)
	}
	if _, body := ts.get(t, "/sources/harbour-wire"); !strings.Contains(body, "Wire story number 20 about the harbour") {
		t.Error("the fetched stories are not on the source page")
	}

	// A feed failing for days is flagged, its error in plain words.
	if err := ts.db.RecordFeedCheck(context.Background(), id, news.FeedCheck{At: now.Add(-50 * time.Hour), Err: "refused: 10.0.0.1 is a private address", Failed: true, Next: now.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	_, body = ed.do("GET", "/admin/sources", nil)
	row = parse(t, body).Find(fmt.Sprintf("#feed-%d", id))
	if txt := row.Text(); !strings.Contains(txt, "Failing since") || !strings.Contains(txt, "Refused: 10.0.0.1 is a private address.") {
		t.Errorf("failing feed row = %q", txt)
	}

	// Removing the feed keeps its stories.
	resp, _ = ed.post("/admin/sources", fmt.Sprintf("/admin/feeds/%d/delete", id), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove = %d", resp.StatusCode)
	}
	_, body = ed.do("GET", resp.Header.Get("Location"), nil)
	if doc := parse(t, body); doc.Find(fmt.Sprintf("#feed-%d", id)).Length() != 0 || doc.Find(".notice--ok").Text() != "Feed removed. Its stories stay." {
		t.Errorf("after remove: %q", doc.Find("main").Text())
	}
	if _, body := ts.get(t, "/sources/harbour-wire"); !strings.Contains(body, "Wire story number 20 about the harbour") {
		t.Error("the feed's stories went with it")
	}
}
