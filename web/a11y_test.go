package web

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// readerPages are one URL of every reader page type, with its status.
var readerPages = []struct {
	path   string
	status int
}{
	{"/", 200},
	{"/articles/" + floodSlug, 200},
	{"/coverage/" + floodSlug, 200},
	{"/tags/flood", 200},
	{"/sources/global-wire", 200},
	{"/sections/world", 200},
	{"/authors/jana-dvorak", 200},
	{"/search", 200},
	{"/search?q=flood", 200},
	{"/articles/nope", 404},
}

// TestHeadingOrder checks what Lighthouse's heading-order audit checks:
// one h1, and no heading more than one level below the one before it.
func TestHeadingOrder(t *testing.T) {
	ts := newTestSite(t)
	for _, p := range readerPages {
		doc := ts.page(t, p.path, p.status)
		if n := doc.Find("h1").Length(); n != 1 {
			t.Errorf("GET %s: %d h1 headings, want 1", p.path, n)
		}
		prev := 0
		doc.Find("h1, h2, h3, h4, h5, h6").Each(func(_ int, h *goquery.Selection) {
			level := int(goquery.NodeName(h)[1] - '0')
			if level > prev+1 {
				t.Errorf("GET %s: <h%d> %q follows <h%d>", p.path, level, strings.TrimSpace(h.Text()), prev)
			}
			prev = level
		})
	}
}

// TestLandmarksNamed checks that landmarks of one kind have distinct names,
// as screen readers list them by name.
func TestLandmarksNamed(t *testing.T) {
	ts := newTestSite(t)
	for _, p := range readerPages {
		doc := ts.page(t, p.path, p.status)
		for _, kind := range []string{"[role=search]", "nav"} {
			seen := map[string]bool{}
			doc.Find(kind).Each(func(_ int, s *goquery.Selection) {
				name := s.AttrOr("aria-label", "")
				if name == "" {
					t.Errorf("GET %s: %s landmark without aria-label", p.path, kind)
				}
				if seen[name] {
					t.Errorf("GET %s: two %s landmarks named %q", p.path, kind, name)
				}
				seen[name] = true
			})
		}
	}
}

func TestSectionNavMarksCurrentPage(t *testing.T) {
	ts := newTestSite(t)
	for path, want := range map[string]string{"/": "/", "/sections/world": "/sections/world", "/tags/flood": ""} {
		doc := ts.page(t, path, 200)
		cur := doc.Find(".section-nav a[aria-current]")
		if want == "" {
			if cur.Length() != 0 {
				t.Errorf("GET %s: section nav marks %q current", path, cur.AttrOr("href", ""))
			}
			continue
		}
		if cur.Length() != 1 || cur.AttrOr("href", "") != want || cur.AttrOr("aria-current", "") != "page" {
			t.Errorf("GET %s: current nav item = %d items, href %q, aria-current %q; want %s, page",
				path, cur.Length(), cur.AttrOr("href", ""), cur.AttrOr("aria-current", ""), want)
		}
	}
}

// TestNotFoundPage checks that a 404 keeps the site's navigation, is not
// indexed and does not claim to be the front page.
func TestNotFoundPage(t *testing.T) {
	ts := newTestSite(t)
	for _, path := range []string{"/articles/nope", "/no/such/page", "/?page=50", "/sections/world?page=2",
		"/tags/flood?page=5", "/sources/global-wire?page=3", "/search?q=flood&page=4"} {
		doc := ts.page(t, path, 404)
		if doc.Find("nav.section-nav a[href='/sections/world']").Length() == 0 {
			t.Errorf("GET %s: 404 page without the section nav", path)
		}
		if doc.Find("link[rel=canonical]").Length() != 0 {
			t.Errorf("GET %s: 404 page has a canonical link %q", path, doc.Find("link[rel=canonical]").AttrOr("href", ""))
		}
		if doc.Find(`meta[name=robots][content="noindex"]`).Length() == 0 {
			t.Errorf("GET %s: 404 page is indexable", path)
		}
	}
}

func TestSearchPageNotIndexed(t *testing.T) {
	ts := newTestSite(t)
	for _, path := range []string{"/search", "/search?q=flood"} {
		doc := ts.page(t, path, 200)
		if doc.Find(`meta[name=robots][content="noindex"]`).Length() == 0 {
			t.Errorf("GET %s is indexable, while robots.txt disallows /search", path)
		}
	}
}

func TestCommentFormAutocomplete(t *testing.T) {
	ts := newTestSite(t)
	doc := ts.page(t, "/articles/"+floodSlug, 200)
	for sel, want := range map[string]string{"#name": "name", "#email": "email"} {
		if got := doc.Find(".comment-form "+sel).AttrOr("autocomplete", ""); got != want {
			t.Errorf("%s autocomplete = %q, want %q", sel, got, want)
		}
	}
	for _, sel := range []string{"#name", "#body"} {
		if _, ok := doc.Find(".comment-form " + sel).Attr("required"); !ok {
			t.Errorf("%s is not required", sel)
		}
	}
	if _, ok := doc.Find(".comment-form #email").Attr("required"); ok {
		t.Error("the optional email is required")
	}
}
