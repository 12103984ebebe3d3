package web

// Regression tests for the findings of the attacker's review (issue 14):
// each one failed before its fix.

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
)

// addHiddenStories stores an embargoed story (published, its time still to
// come), a draft and a scheduled story, each with a tag, source and section
// of its own that no visible story carries.
func addHiddenStories(t *testing.T, ts *testSite) {
	t.Helper()
	ctx := context.Background()
	line := `{"title": "Minister resigns over zephyrgate scandal", "body": "The zephyrgate papers show the minister knew.", ` +
		`"published_at": "` + now.Add(48*time.Hour).Format(time.RFC3339) + `", "source": "Embargo Wire", ` +
		`"url": "https://embargo.example/zephyrgate", "section": "Secrets", "tags": ["zephyrgate"]}`
	if rep, err := ingest.Import(ctx, ts.db, strings.NewReader(line), ""); err != nil || rep.Added != 1 {
		t.Fatalf("import embargoed story: %v %v", rep, err)
	}
	for _, st := range []*news.Story{
		{Title: "Quillstorm draft not for readers", Body: "A quillstorm is coming.", Status: news.StatusDraft,
			Source: news.Source{Name: "Draft Daily"}, Section: news.Section{Name: "Drafts Desk"}, Tags: news.NewTags([]string{"quillstorm"}),
			PublishedAt: now.Add(-time.Hour)},
		{Title: "Nightjar launch scheduled for next week", Body: "The nightjar probe launches soon.", Status: news.StatusScheduled,
			Source: news.Source{Name: "Schedule Times"}, Tags: news.NewTags([]string{"nightjar"}), PublishedAt: now.Add(72 * time.Hour)},
	} {
		if err := st.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := ts.db.CreateStory(ctx, st, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// Finding 1: search counts, results and facets follow the page rule.
func TestSearchDoesNotLeakHiddenStories(t *testing.T) {
	ts := newTestSite(t)
	addHiddenStories(t, ts)
	for _, q := range []string{"zephyr", "zephyrgate", "quillstorm", "nightjar", "minister+zephyr"} {
		doc := ts.page(t, "/search?q="+q, http.StatusOK)
		if got := strings.TrimSpace(doc.Find(".result-count").Text()); !strings.HasPrefix(got, "No stories match") {
			t.Errorf("/search?q=%s says %q", q, got)
		}
		if n := doc.Find(".search-results li").Length(); n != 0 {
			t.Errorf("/search?q=%s lists %d results", q, n)
		}
	}
	doc := ts.page(t, "/search?q=flood", http.StatusOK)
	for _, name := range []string{"Embargo Wire", "Draft Daily", "Schedule Times", "Secrets", "Drafts Desk"} {
		if strings.Contains(doc.Find("select").Text(), name) {
			t.Errorf("search filters offer %q", name)
		}
	}
	// Once its time comes the embargoed story is found and counted.
	ts.clock.Advance(49 * time.Hour)
	doc = ts.page(t, "/search?q=zephyr", http.StatusOK)
	if got := strings.TrimSpace(doc.Find(".result-count").Text()); !strings.HasPrefix(got, "1 story matches") {
		t.Errorf("after the embargo /search?q=zephyr says %q", got)
	}
	if !strings.Contains(doc.Find("select#source").Text(), "Embargo Wire") {
		t.Error("after the embargo the source filter lacks Embargo Wire")
	}
}

// Finding 5: tags, sources and sections known only from hidden stories
// are not found, and their feeds neither.
func TestHiddenStoriesDoNotLeakNames(t *testing.T) {
	ts := newTestSite(t)
	addHiddenStories(t, ts)
	hidden := []string{"/tags/zephyrgate", "/sources/embargo-wire", "/sections/secrets",
		"/tags/quillstorm", "/sources/draft-daily", "/sections/drafts-desk", "/tags/nightjar", "/sources/schedule-times"}
	for _, p := range hidden {
		for _, path := range []string{p, p + "/feed.xml"} {
			resp, body := ts.get(t, path)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
			}
			// (A tag's name is its slug, which the 404 page may repeat.)
			for _, name := range []string{"Embargo Wire", "Secrets", "Draft Daily", "Drafts Desk", "Schedule Times"} {
				if strings.Contains(body, name) {
					t.Errorf("GET %s names %q", path, name)
				}
			}
		}
	}
	_, sitemap := ts.get(t, "/sitemaps/pages.xml")
	for _, p := range hidden {
		if strings.Contains(sitemap, p+"<") {
			t.Errorf("sitemap lists %s", p)
		}
	}
	// The visible ones still answer, and the embargoed ones once their time comes.
	for _, p := range []string{"/tags/flood", "/sources/global-wire", "/sections/world"} {
		if resp, _ := ts.get(t, p); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", p, resp.StatusCode)
		}
	}
	ts.clock.Advance(49 * time.Hour)
	for _, p := range []string{"/tags/zephyrgate", "/sources/embargo-wire", "/sections/secrets"} {
		if resp, _ := ts.get(t, p); resp.StatusCode != http.StatusOK {
			t.Errorf("after the embargo GET %s = %d, want 200", p, resp.StatusCode)
		}
	}
}
