package feed

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"newsdesk/internal/news"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var site = Site{Name: "Newsdesk", BaseURL: "https://news.example", Icon: "https://news.example/static/img/logo.png",
	IDBase: "tag:news.example,2026-03-01:0a1b2c3d/", Started: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}

func stories() []*news.Story {
	pub := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	return []*news.Story{
		{ID: 7, Slug: "river-floods", Title: "River floods <old> town & more", Summary: "Water rose.", BodyHTML: "<p>The river rose.</p>",
			Source: news.Source{Name: "Global Wire", Slug: "global-wire"}, Author: "Jana Dvorak", URL: "https://globalwire.example/1",
			Section: news.Section{Name: "World", Slug: "world"}, Tags: []news.Tag{{Name: "flood", Slug: "flood"}},
			PublishedAt: pub, UpdatedAt: pub.Add(time.Hour)},
		{ID: 3, Slug: "cup-final", Title: "Rovers reach the final", Source: news.Source{Name: "Harbor Times", Slug: "harbor-times"},
			PublishedAt: pub.Add(-24 * time.Hour), UpdatedAt: pub.Add(-24 * time.Hour)},
	}
}

func TestAtomGolden(t *testing.T) {
	golden(t, "feed.golden", Atom(site, "Newsdesk: latest stories", "/feed.xml", "/", stories()))
}

func TestSitemapsGolden(t *testing.T) {
	pub := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	golden(t, "sitemap-index.golden", Index(site, []Entry{{Path: "/sitemaps/pages.xml", LastMod: pub}, {Path: "/sitemaps/stories-2026-03-1.xml", LastMod: pub}}))
	golden(t, "sitemap.golden", Sitemap(site, []Entry{{Path: "/articles/river-floods", LastMod: pub}, {Path: "/tags/flood"}}))
	golden(t, "news-sitemap.golden", NewsSitemap(site, "en", stories()))
	golden(t, "news-sitemap-empty.golden", NewsSitemap(site, "en", nil))
}

func TestAtomEmptyGolden(t *testing.T) {
	golden(t, "feed-empty.golden", Atom(site, "Newsdesk: #quiet", "/tags/quiet/feed.xml", "/tags/quiet", nil))
}
