package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/news"
)

// TestSocialTags checks the card tags of an article without a picture:
// a small card, no large-image promise, and a NewsArticle image anyway.
func TestSocialTags(t *testing.T) {
	ts := newTestSite(t)
	doc := ts.page(t, "/articles/"+floodSlug, 200)
	meta := func(attr, name string) string {
		return doc.Find(`meta[`+attr+`="`+name+`"]`).AttrOr("content", "")
	}
	if got := meta("name", "twitter:card"); got != "summary" {
		t.Errorf("twitter:card = %q without an image, want summary", got)
	}
	if got := meta("property", "og:locale"); got != "en_GB" {
		t.Errorf("og:locale = %q", got)
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(doc.Find(`script[type="application/ld+json"]`).Text()), &ld); err != nil {
		t.Fatal(err)
	}
	images, _ := ld["image"].([]any)
	if len(images) == 0 || !strings.HasPrefix(images[0].(string), "https://news.example/static/img/share.") {
		t.Errorf("NewsArticle image = %v, want the site's share image", ld["image"])
	}
	authors, _ := ld["author"].([]any)
	if len(authors) == 0 || authors[0].(map[string]any)["url"] != "https://news.example/authors/jana-dvorak" {
		t.Errorf("NewsArticle author = %v, want a url to the author page", ld["author"])
	}
	// The share image is as large as search engines ask (≥ 1200 px wide).
	resp, _ := ts.get(t, strings.TrimPrefix(images[0].(string), "https://news.example"))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("share image = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestAuthorPages checks that a byline links to the author's page, which
// lists their stories and offers a feed, and that an author with nothing
// published has no page.
func TestAuthorPages(t *testing.T) {
	ts := newTestSite(t)
	doc := ts.page(t, "/articles/"+floodSlug, 200)
	if href := doc.Find(".byline .author a").AttrOr("href", ""); href != "/authors/jana-dvorak" {
		t.Errorf("byline links to %q, want /authors/jana-dvorak", href)
	}
	doc = ts.page(t, "/authors/jana-dvorak", 200)
	if got := strings.TrimSpace(doc.Find("main h1").Text()); got != "Jana Dvorak" {
		t.Errorf("author page h1 = %q", got)
	}
	if doc.Find(`ol.story-list a[href="/articles/`+floodSlug+`"]`).Length() == 0 {
		t.Error("author page does not list the author's story")
	}
	if doc.Find(`link[rel=alternate][href="/authors/jana-dvorak/feed.xml"]`).Length() == 0 {
		t.Error("author page advertises no feed")
	}
	draft := &news.Story{Title: "Unpublished notes", Body: "Not yet.", Author: "Quiet Writer", Source: news.Source{Name: "Newsdesk"},
		Status: news.StatusDraft, PublishedAt: now.Add(-time.Hour)}
	if err := deskOf(ts.db).CreateStory(context.Background(), draft, 0); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/authors/quiet-writer", "/authors/quiet-writer/feed.xml", "/authors/nobody"} {
		if resp, _ := ts.get(t, p); resp.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
}
