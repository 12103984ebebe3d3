package web

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSearchPage(t *testing.T) {
	ts := newTestSite(t)
	doc := ts.page(t, "/search?q=council", http.StatusOK)
	if got := doc.Find(".result-count").Text(); !strings.Contains(got, "2 stories match") {
		t.Errorf("result count = %q", got)
	}
	first := doc.Find(".search-results li").First()
	if got := first.Find("h2 mark").Text(); !strings.EqualFold(got, "council") {
		t.Errorf("first title marks %q, want the headline match first", got)
	}
	if first.Find(".snippet mark").Length() == 0 {
		t.Error("snippet has no highlighted match")
	}
	// Filters narrow the results.
	doc = ts.page(t, "/search?q=flood&section=politics", http.StatusOK)
	if n := doc.Find(".search-results li").Length(); n != 1 {
		t.Errorf("flood in politics: %d results, want 1", n)
	}
	// An empty query shows the form; hostile queries never fail.
	for _, q := range []string{"", "%22", "*", "(", "-", "NEAR", "a%3Ab", "%22%3Cscript%3E", strings.Repeat("x", 10000)} {
		doc := ts.page(t, "/search?q="+q, http.StatusOK)
		if doc.Find("form[role=search] input[name=q]").Length() == 0 {
			t.Errorf("search %.20q: no search form", q)
		}
	}
	// The reader's query is shown as text, never as markup.
	resp, body := ts.get(t, "/search?q=%3Cscript%3Ealert(1)%3C/script%3E+flood")
	if resp.StatusCode != 200 || strings.Contains(body, "<script>alert(1)") {
		t.Errorf("hostile query echoed unescaped (status %d)", resp.StatusCode)
	}
}

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID         string `xml:"id"`
		Title      string `xml:"title"`
		Published  string `xml:"published"`
		Updated    string `xml:"updated"`
		Author     string `xml:"author>name"`
		Summary    string `xml:"summary"`
		Content    string `xml:"content"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
	} `xml:"entry"`
}

func TestFeeds(t *testing.T) {
	ts := newTestSite(t)
	tests := []struct {
		path    string
		entries int
	}{
		// The Vltava flood report and its copy are one entry.
		{"/feed.xml", 6},
		{"/tags/flood/feed.xml", 3},
		{"/sources/metro-ledger/feed.xml", 2},
		{"/sections/world/feed.xml", 3},
	}
	for _, tt := range tests {
		resp, body := ts.get(t, tt.path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("GET %s = %d %s", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var f atomFeed
		if err := xml.Unmarshal([]byte(body), &f); err != nil {
			t.Fatalf("GET %s: %v", tt.path, err)
		}
		if len(f.Entries) != tt.entries {
			t.Errorf("GET %s: %d entries, want %d", tt.path, len(f.Entries), tt.entries)
		}
		if !strings.HasPrefix(f.ID, "tag:news.example,") || !strings.HasSuffix(f.ID, "/feeds"+tt.path) || f.Title == "" {
			t.Errorf("GET %s: id %q title %q", tt.path, f.ID, f.Title)
		}
		var prev time.Time
		for i, e := range f.Entries {
			pub, err := time.Parse(time.RFC3339, e.Published)
			if err != nil || e.ID == "" || e.Title == "" || e.Author == "" || e.Content == "" {
				t.Errorf("GET %s entry %d incomplete: %+v", tt.path, i, e)
			}
			if i > 0 && pub.After(prev) {
				t.Errorf("GET %s: entries not newest first", tt.path)
			}
			prev = pub
			if strings.Contains(strings.ToLower(e.Content), "<script") || strings.Contains(e.Content, "onerror") {
				t.Errorf("GET %s entry %d content not sanitized: %q", tt.path, i, e.Content)
			}
		}
	}
	for _, p := range []string{"/tags/nope/feed.xml", "/sources/nope/feed.xml", "/sections/nope/feed.xml", "/articles/nope/feed.xml", "/authors/nope/feed.xml"} {
		if resp, _ := ts.get(t, p); resp.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestFollowStoryFeed(t *testing.T) {
	ts := newTestSite(t)
	_, body := ts.get(t, "/articles/"+floodSlug+"/feed.xml")
	var f atomFeed
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for _, e := range f.Entries {
		titles[e.Title] = true
	}
	for _, want := range []string{"Vltava floods Prague old town as river bursts its banks", "River bursts banks and floods Prague old town",
		"Prague counts the cost of the flood as water recedes"} {
		if !titles[want] {
			t.Errorf("follow feed lacks %q", want)
		}
	}
	if titles["Striker scores twice as Rovers reach the cup semi-final"] {
		t.Error("follow feed carries an unrelated story")
	}
	doc := ts.page(t, "/articles/"+floodSlug, 200)
	if doc.Find(`a[href="/articles/`+floodSlug+`/feed.xml"]`).Length() == 0 {
		t.Error("article page does not link its follow feed")
	}
}

func TestConditionalGet(t *testing.T) {
	ts := newTestSite(t)
	for _, path := range []string{"/feed.xml", "/sitemap.xml", "/news-sitemap.xml"} {
		resp, _ := ts.get(t, path)
		etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag == "" || lastMod == "" {
			t.Fatalf("GET %s: ETag %q Last-Modified %q", path, etag, lastMod)
		}
		for _, h := range [][2]string{{"If-None-Match", etag}, {"If-Modified-Since", lastMod}} {
			req, _ := http.NewRequest("GET", ts.URL+path, nil)
			req.Header.Set(h[0], h[1])
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("GET %s with %s = %d, want 304", path, h[0], resp.StatusCode)
			}
		}
		resp, err := ts.Client().Head(ts.URL + path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("HEAD %s = %v %v", path, resp.StatusCode, err)
		}
	}
}

type urlset struct {
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		News    *struct {
			Name     string `xml:"publication>name"`
			Language string `xml:"publication>language"`
			Date     string `xml:"publication_date"`
			Title    string `xml:"title"`
		} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	} `xml:"url"`
}

func TestSitemaps(t *testing.T) {
	ts := newTestSite(t)
	_, body := ts.get(t, "/sitemap.xml")
	var idx struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal([]byte(body), &idx); err != nil {
		t.Fatal(err)
	}
	// Pages, then March and February 2026.
	if len(idx.Sitemaps) != 3 {
		t.Fatalf("sitemap index lists %d sitemaps, want 3: %s", len(idx.Sitemaps), body)
	}
	total := 0
	for _, sm := range idx.Sitemaps {
		path := strings.TrimPrefix(sm.Loc, "https://news.example")
		resp, body := ts.get(t, path)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		var u urlset
		if err := xml.Unmarshal([]byte(body), &u); err != nil {
			t.Fatal(err)
		}
		for _, e := range u.URLs {
			if !strings.HasPrefix(e.Loc, "https://news.example/") {
				t.Errorf("%s: loc %q not absolute", path, e.Loc)
			}
			if strings.Contains(e.Loc, "/articles/") {
				total++
			}
		}
	}
	if total != 7 {
		t.Errorf("sitemaps list %d stories, want 7", total)
	}

	_, body = ts.get(t, "/news-sitemap.xml")
	if !strings.Contains(body, `xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"`) {
		t.Error("news sitemap lacks the news namespace")
	}
	var u urlset
	if err := xml.Unmarshal([]byte(body), &u); err != nil {
		t.Fatal(err)
	}
	// Stories of the 48 hours before 2026-03-16T12:00Z: all but the
	// February one.
	if len(u.URLs) != 6 {
		t.Errorf("news sitemap has %d stories, want 6", len(u.URLs))
	}
	for _, e := range u.URLs {
		if e.News == nil || e.News.Name != "Newsdesk" || e.News.Language != "en" || e.News.Title == "" || e.News.Date == "" {
			t.Errorf("news entry %s incomplete: %+v", e.Loc, e.News)
		}
	}

	resp, body := ts.get(t, "/robots.txt")
	for _, want := range []string{"Disallow: /admin", "Sitemap: https://news.example/sitemap.xml", "Sitemap: https://news.example/news-sitemap.xml"} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("robots.txt lacks %q", want)
		}
	}
	for _, p := range []string{"/sitemaps/stories-2026-13-1.xml", "/sitemaps/stories-1999-01-1.xml", "/sitemaps/x.xml", "/sitemaps/stories-2026-03-1.xml.bak"} {
		if resp, _ := ts.get(t, p); resp.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestJSONLD(t *testing.T) {
	ts := newTestSite(t)
	for _, path := range []string{"/articles/" + floodSlug, hostilePath(t, ts)} {
		doc := ts.page(t, path, 200)
		raw := doc.Find(`script[type="application/ld+json"]`).Text()
		var ld map[string]any
		if err := json.Unmarshal([]byte(raw), &ld); err != nil {
			t.Fatalf("%s: JSON-LD does not parse: %v\n%s", path, err, raw)
		}
		if ld["@type"] != "NewsArticle" || ld["headline"] == "" || ld["datePublished"] == nil || ld["publisher"] == nil {
			t.Errorf("%s: JSON-LD incomplete: %v", path, ld)
		}
		if title := doc.Find("h1").Text(); ld["headline"] != title {
			t.Errorf("%s: headline %q, want %q", path, ld["headline"], title)
		}
	}
}

// hostilePath returns the path of the fixture story with hostile fields.
func hostilePath(t *testing.T, ts *testSite) string {
	doc := ts.page(t, "/sources/evil-source-b", 200)
	href, ok := doc.Find(".story-list h3 a").Attr("href")
	if !ok {
		t.Fatal("no hostile story")
	}
	return href
}

func TestListPagesLinkTheirFeeds(t *testing.T) {
	ts := newTestSite(t)
	for _, p := range []string{"/tags/flood", "/sources/global-wire", "/sections/world"} {
		doc := ts.page(t, p, 200)
		if doc.Find(`head link[rel="alternate"][type="application/atom+xml"][href="`+p+`/feed.xml"]`).Length() == 0 {
			t.Errorf("%s does not announce its feed", p)
		}
	}
	// A feed keeps its own freshness through the render cache.
	for range 2 {
		resp, _ := ts.get(t, "/feed.xml")
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
			t.Errorf("feed Cache-Control = %q", cc)
		}
	}
}
