package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/news"
)

// Aggregated copies link to their original (prominently when the feed
// gave only an excerpt) and name it as canonical; the site's own stories
// do neither.
func TestOriginalLinksAndCanonical(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	long := strings.Repeat("The council met again to discuss the harbour budget and the bridge repairs. ", 40)
	stories := []*news.Story{
		{Title: "Excerpt only from the wire", Body: "Two sentences the feed gave. Then it stopped.", Source: news.Source{Name: "Wire One"},
			URL: "https://wireone.example/excerpt", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)},
		{Title: "Whole story from the wire", Body: long, Source: news.Source{Name: "Wire Two"},
			URL: "https://wiretwo.example/whole", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)},
		{Title: "Our own report on the harbour", Body: long, Source: news.Source{Name: "Newsdesk"},
			URL: "https://elsewhere.example/ours", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)},
		{Title: "Our report linked to our own site", Body: long, Source: news.Source{Name: "Desk Staff"},
			URL: "https://news.example/articles/old-address", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)},
	}
	if _, err := deskOf(ts.db).UpsertStories(ctx, stories); err != nil {
		t.Fatal(err)
	}
	newsroom := &news.Story{Title: "Written in the newsroom", Body: long, Source: news.Source{Name: "Desk Staff"},
		Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
	if err := deskOf(ts.db).CreateStory(ctx, newsroom, 0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		slug, readFull, original, canonical string
	}{
		{stories[0].Slug, "Read the full story at Wire One", "", "https://wireone.example/excerpt"},
		{stories[1].Slug, "", "Read the original at Wire Two", "https://wiretwo.example/whole"},
		{stories[2].Slug, "", "", "https://news.example/articles/" + stories[2].Slug},
		{stories[3].Slug, "", "", "https://news.example/articles/" + stories[3].Slug},
		{newsroom.Slug, "", "", "https://news.example/articles/" + newsroom.Slug},
	} {
		doc := ts.page(t, "/articles/"+tc.slug, 200)
		if got := strings.TrimSpace(doc.Find("article .read-full a").Text()); got != tc.readFull {
			t.Errorf("%s: read-full link %q, want %q", tc.slug, got, tc.readFull)
		}
		if got := strings.TrimSpace(doc.Find("article .original a").Text()); got != tc.original {
			t.Errorf("%s: original link %q, want %q", tc.slug, got, tc.original)
		}
		if got := doc.Find(`link[rel="canonical"]`).AttrOr("href", ""); got != tc.canonical {
			t.Errorf("%s: canonical %q, want %q", tc.slug, got, tc.canonical)
		}
	}
}

// A story updated upstream shows "Updated" with the time, after it was
// first seen; a new story does not.
func TestArticleShowsUpdated(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	s := &news.Story{Title: "Storm warning for the coast", Body: "A storm is coming.", Source: news.Source{Name: "Wire One"},
		URL: "https://wireone.example/storm", Status: news.StatusPublished, PublishedAt: now.Add(-2 * time.Hour)}
	if _, err := deskOf(ts.db).UpsertStories(ctx, []*news.Story{s}); err != nil {
		t.Fatal(err)
	}
	if doc := ts.page(t, "/articles/"+s.Slug, 200); doc.Find("article .updated").Length() != 0 {
		t.Error("a story never updated shows Updated")
	}
	ts.clock.Advance(42 * time.Minute)
	upd := *s
	upd.ID, upd.Slug, upd.Body = 0, "", "A storm is coming. Ferries are cancelled."
	if out, err := deskOf(ts.db).UpsertStories(ctx, []*news.Story{&upd}); err != nil || out[0] != news.Updated {
		t.Fatalf("update = %v, %v", out, err)
	}
	doc := ts.page(t, "/articles/"+s.Slug, 200)
	up := doc.Find("article .updated")
	if got := strings.Join(strings.Fields(up.Text()), " "); got != "Updated 12:42" {
		t.Errorf("updated line = %q, want Updated 12:42", got)
	}
	if dt := up.Find("time").AttrOr("datetime", ""); dt != now.Add(42*time.Minute).Format(time.RFC3339) {
		t.Errorf("updated datetime = %q", dt)
	}
	if !strings.Contains(doc.Find("article").Text(), "Ferries are cancelled.") {
		t.Error("the article does not show the updated text")
	}
}
