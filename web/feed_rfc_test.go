package web

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"

	"newsdesk/internal/demo"
)

// siteFeeds are the paths of every kind of feed the test site serves.
var siteFeeds = []string{
	"/feed.xml",
	"/tags/flood/feed.xml",
	"/sources/global-wire/feed.xml",
	"/sections/world/feed.xml",
	"/authors/jana-dvorak/feed.xml",
	"/articles/" + floodSlug + "/feed.xml",
}

// parseAtom reads a feed with gofeed's Atom parser, as a feed reader
// would, after checking that the universal parser takes it as Atom.
func parseAtom(t *testing.T, where, body string) *atom.Feed {
	t.Helper()
	u, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("%s: gofeed: %v", where, err)
	}
	if u.FeedType != "atom" {
		t.Fatalf("%s: gofeed reads it as %q, want atom", where, u.FeedType)
	}
	f, err := (&atom.Parser{}).Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: gofeed atom: %v", where, err)
	}
	return f
}

// checkRFC4287 checks the rules of RFC 4287 that a parser forgives.
func checkRFC4287(t *testing.T, where string, f *atom.Feed, raw string) {
	t.Helper()
	sane := func(what, stamp string, parsed *time.Time) {
		if stamp == "" || parsed == nil {
			t.Errorf("%s: %s has no updated time", where, what)
		} else if parsed.Year() < 2000 {
			t.Errorf("%s: %s updated %s, a placeholder time", where, what, stamp)
		}
	}
	if f.ID == "" || f.Title == "" {
		t.Errorf("%s: feed id %q, title %q: both are required", where, f.ID, f.Title)
	}
	sane("feed", f.Updated, f.UpdatedParsed)
	if f.Logo != "" {
		t.Errorf("%s: atom:logo %q is for 2:1 images; the square mark is an icon", where, f.Logo)
	}
	if f.Icon == "" {
		t.Errorf("%s: no atom:icon", where)
	}
	self := false
	for _, l := range f.Links {
		self = self || l.Rel == "self"
	}
	if !self {
		t.Errorf("%s: no rel=self link", where)
	}
	ids := map[string]bool{}
	for _, e := range f.Entries {
		w := where + " entry " + e.ID
		if e.ID == "" || e.Title == "" {
			t.Errorf("%s: entry id %q, title %q: both are required", w, e.ID, e.Title)
		}
		if ids[e.ID] {
			t.Errorf("%s: id used twice", w)
		}
		ids[e.ID] = true
		sane("entry", e.Updated, e.UpdatedParsed)
		if len(e.Authors) == 0 && len(f.Authors) == 0 {
			t.Errorf("%s: no author in the entry or the feed", w)
		}
		for _, a := range e.Authors {
			if a.Name == "" {
				t.Errorf("%s: author without a name", w)
			}
		}
		if e.Content != nil && strings.TrimSpace(e.Content.Value) == "" {
			t.Errorf("%s: empty content element", w)
		}
		alternate := false
		for _, l := range e.Links {
			alternate = alternate || l.Rel == "alternate" || l.Rel == ""
		}
		if e.Content == nil && !alternate {
			t.Errorf("%s: neither content nor an alternate link", w)
		}
		if s := e.Source; s != nil {
			if s.ID == "" || s.Title == "" || s.UpdatedParsed == nil {
				t.Errorf("%s: source id %q, title %q, updated %q: RFC 4287 wants all three", w, s.ID, s.Title, s.Updated)
			}
		}
	}
	if strings.Contains(raw, "<content type=\"html\"></content>") {
		t.Errorf("%s: a blank content element", where)
	}
}

// TestFeedsFollowRFC4287 reads every feed the site serves, and every feed
// its pages advertise, with gofeed and checks the RFC's rules.
func TestFeedsFollowRFC4287(t *testing.T) {
	ts := newTestSite(t)
	feeds := append([]string{}, siteFeeds...)
	for _, p := range readerPages {
		doc := ts.page(t, p.path, p.status)
		for _, href := range doc.Find(`link[rel=alternate][type="application/atom+xml"]`).Map(func(_ int, s *goquery.Selection) string {
			return s.AttrOr("href", "")
		}) {
			feeds = append(feeds, href)
		}
	}
	seen := map[string]bool{}
	for _, path := range feeds {
		if seen[path] {
			continue
		}
		seen[path] = true
		resp, body := ts.get(t, path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
			t.Errorf("GET %s = %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
			continue
		}
		checkRFC4287(t, path, parseAtom(t, path, body), body)
	}
}

// TestStoryFeedCarriesBodies checks that "follow this story" carries the
// text of every story in it, related stories and copies included.
func TestStoryFeedCarriesBodies(t *testing.T) {
	ts := newTestSite(t)
	path := "/articles/" + floodSlug + "/feed.xml"
	_, body := ts.get(t, path)
	f := parseAtom(t, path, body)
	if len(f.Entries) < 2 {
		t.Fatalf("%s has %d entries, want the story and its related stories", path, len(f.Entries))
	}
	for _, e := range f.Entries {
		if e.Content == nil || len(strings.TrimSpace(e.Content.Value)) < 20 {
			t.Errorf("%s: entry %q has no body", path, e.Title)
		}
	}
}

// TestFeedIDsSurviveAMove serves one database under two addresses: the
// Atom ids must not change (RFC 4287 §4.2.6), the links must.
func TestFeedIDsSurviveAMove(t *testing.T) {
	ts := newTestSite(t)
	moved, err := New(Config{BaseURL: "https://moved.example", Now: ts.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, storeOf(ts.db))
	if err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewServer(moved)
	defer ts2.Close()
	for _, path := range siteFeeds {
		_, a := ts.get(t, path)
		resp, err := ts2.Client().Get(ts2.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fa, fb := parseAtom(t, path, a), parseAtom(t, path, string(b))
		if fa.ID != fb.ID {
			t.Errorf("%s: feed id %q becomes %q after a move", path, fa.ID, fb.ID)
		}
		if len(fa.Entries) != len(fb.Entries) {
			t.Fatalf("%s: %d entries, then %d", path, len(fa.Entries), len(fb.Entries))
		}
		for i := range fa.Entries {
			if fa.Entries[i].ID != fb.Entries[i].ID {
				t.Errorf("%s: entry id %q becomes %q after a move", path, fa.Entries[i].ID, fb.Entries[i].ID)
			}
			if !strings.HasPrefix(fa.Entries[i].ID, "tag:news.example,") {
				t.Errorf("%s: entry id %q is not a tag URI", path, fa.Entries[i].ID)
			}
			if !strings.HasPrefix(fb.Entries[i].Links[0].Href, "https://moved.example/") {
				t.Errorf("%s: link %q does not follow the move", path, fb.Entries[i].Links[0].Href)
			}
		}
	}
}

// TestEmptySiteFeeds checks the feed and news sitemap of a site with no
// stories: a real updated time, and a sitemap the schema accepts.
func TestEmptySiteFeeds(t *testing.T) {
	clock := func() time.Time { return now }
	db, _ := openStore(t, clock)
	srv, err := New(Config{BaseURL: "https://news.example", Now: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, storeOf(db))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	get := func(path string) string {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	body := get("/feed.xml")
	f := parseAtom(t, "/feed.xml", body)
	checkRFC4287(t, "empty /feed.xml", f, body)
	if f.UpdatedParsed == nil || !f.UpdatedParsed.Equal(now) {
		t.Errorf("empty feed updated %q, want when the site started, %s", f.Updated, now.Format(time.RFC3339))
	}
	var set struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(get("/news-sitemap.xml")), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.URLs) == 0 {
		t.Error("empty news sitemap has no <url>; the sitemap schema requires one")
	}
}

// TestDemoStoriesChangedAtTheirOwnTimes checks that the demo stories do
// not all say they were updated the moment the site first started.
func TestDemoStoriesChangedAtTheirOwnTimes(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return now }
	db, _ := openStore(t, clock)
	if _, err := demo.Load(ctx, deskOf(db), nil, now); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{BaseURL: "https://news.example", Now: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, storeOf(db))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL + "/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f := parseAtom(t, "demo /feed.xml", string(b))
	times := map[string]bool{}
	for _, e := range f.Entries {
		times[e.Updated] = true
		if e.Updated != e.Published {
			t.Errorf("demo story %q: updated %s, published %s; it has not changed since", e.Title, e.Updated, e.Published)
		}
	}
	if len(f.Entries) > 1 && len(times) < 2 {
		t.Errorf("%d demo stories share %d updated time", len(f.Entries), len(times))
	}
}
