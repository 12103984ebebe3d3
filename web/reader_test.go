package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"newsdesk/internal/news"
)

// TestArticleTimes checks the byline's times: relative wording with the
// date and time beside it, and "Updated" once a story has changed.
func TestArticleTimes(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	st := &news.Story{Title: "Tram line closed for track work", Body: "The tram line is closed this weekend.\n\nBuses replace trams between the depot and the square.",
		Source: news.Source{Name: "Newsdesk"}, Status: news.StatusPublished, PublishedAt: now.Add(-2 * time.Hour)}
	if err := deskOf(ts.db).CreateStory(ctx, st, 0); err != nil {
		t.Fatal(err)
	}
	doc := ts.page(t, "/articles/"+st.Slug, 200)
	if got := doc.Find(".byline time").First().Text(); got != "2 hours ago" {
		t.Errorf("byline time = %q, want 2 hours ago", got)
	}
	if got := doc.Find(".byline .abs-time").Text(); !strings.Contains(got, "16 March 2026, 10:00") {
		t.Errorf("absolute time = %q, want 16 March 2026, 10:00", got)
	}
	if doc.Find(".byline .updated").Length() != 0 {
		t.Error("a story never changed says Updated")
	}
	ts.clock.Advance(30 * time.Minute)
	st.Body += "\n\nUpdate: the line reopens on Monday."
	if err := deskOf(ts.db).UpdateStory(ctx, st, st.Revision, 0); err != nil {
		t.Fatal(err)
	}
	doc = ts.page(t, "/articles/"+st.Slug, 200)
	if got := doc.Find(".byline .updated time").AttrOr("datetime", ""); got != "2026-03-16T12:30:00Z" {
		t.Errorf("updated time = %q, want 2026-03-16T12:30:00Z", got)
	}
}

// TestKeyPointsDoNotRepeatTheLede checks the key points against the
// standfirst and first paragraph a reader has just read.
func TestKeyPointsDoNotRepeatTheLede(t *testing.T) {
	ts := newTestSite(t)
	doc := ts.page(t, "/articles/"+floodSlug, 200)
	lede := strings.TrimSpace(doc.Find(".standfirst").Text())
	first := strings.TrimSpace(doc.Find(".story__body p").Not(".dateline").First().Text())
	doc.Find("#key-points li").Each(func(_ int, li *goquery.Selection) {
		p := strings.TrimSpace(li.Text())
		if strings.Contains(lede, p) || strings.Contains(first, p) {
			t.Errorf("key point %q repeats the lede", p)
		}
	})
}
