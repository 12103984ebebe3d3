package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"newsdesk/internal/news"
)

func parseHTML(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestPreviewUnsaved previews what is typed in the editor: nothing is
// saved, the page says so, has no comment form, and goes back to the
// editor with every value kept.
func TestPreviewUnsaved(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	form := url.Values{"title": {"Night buses return to the harbour route"}, "summary": {"The night bus is back."},
		"body": {"The night bus returns on Friday.\n\nIt runs every thirty minutes until five."}, "author": {"Ed Itor"},
		"tags": {"buses, night"}, "status": {"published"}, "published_at": {"2026-03-16T09:00"}, "id": {"0"}}
	resp, body := b.post("/admin/stories/new", "/admin/stories/preview", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview = %d: %s", resp.StatusCode, body)
	}
	doc := parseHTML(t, body)
	if got := doc.Find(".preview-banner").Text(); !strings.Contains(got, "Preview — not published") {
		t.Errorf("preview banner = %q", got)
	}
	if got := doc.Find("article h1").Text(); got != "Night buses return to the harbour route" {
		t.Errorf("preview h1 = %q", got)
	}
	if doc.Find("form.comment-form").Length() != 0 {
		t.Error("the preview has a live comment form")
	}
	if doc.Find(`meta[name=robots][content="noindex"]`).Length() == 0 {
		t.Error("the preview is indexable")
	}
	if n, _ := ts.db.StoryCount(context.Background()); n != 7 {
		t.Errorf("%d stories after a preview, want the 7 there were", n)
	}
	if resp, _ := ts.get(t, "/articles/night-buses-return-to-the-harbour-route"); resp.StatusCode != 404 {
		t.Errorf("previewed story is public: %d", resp.StatusCode)
	}
	// Back to the editor, with the preview's own form.
	back := url.Values{}
	doc.Find(".preview-banner form input").Each(func(_ int, in *goquery.Selection) {
		back.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	back.Set("back", "1")
	resp, body = b.do("POST", "/admin/stories/preview", back)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("back to the editor = %d", resp.StatusCode)
	}
	doc = parseHTML(t, body)
	for sel, want := range map[string]string{"#title": form.Get("title"), "#author": "Ed Itor", "#tags": "buses, night", "#published_at": "2026-03-16T09:00"} {
		if got := doc.Find(sel).AttrOr("value", ""); got != want {
			t.Errorf("editor %s = %q after the preview, want %q", sel, got, want)
		}
	}
	if got := doc.Find("#body").Text(); got != form.Get("body") {
		t.Errorf("editor body = %q after the preview", got)
	}
}

// TestEmptyTrashAsksFirst checks that emptying the trash takes a
// confirmation page, and that a bare POST deletes nothing.
func TestEmptyTrashAsksFirst(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	st, err := ts.db.StoryBySlug(context.Background(), floodSlug)
	if err != nil {
		t.Fatal(err)
	}
	if err := deskOf(ts.db).TrashStory(context.Background(), st.ID); err != nil {
		t.Fatal(err)
	}
	_, body := b.do("GET", "/admin/stories?trash=1", nil)
	doc := parseHTML(t, body)
	if doc.Find(`a[href="/admin/trash/empty"]`).Length() == 0 {
		t.Fatal("trash page has no link to empty it")
	}
	if got := doc.Find("main p").Text(); !strings.Contains(got, "1 story") {
		t.Errorf("trash count = %q, want 1 story", got)
	}
	resp, _ := b.post("/admin/stories?trash=1", "/admin/trash/empty", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/trash/empty" {
		t.Errorf("unconfirmed empty = %d → %s, want the question", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, n, _ := ts.db.AdminStories(context.Background(), news.AdminFilter{Trash: true, Page: news.Page{Number: 1, Size: 10}}); n != 1 {
		t.Fatalf("%d stories in the trash after an unconfirmed empty, want 1", n)
	}
	_, body = b.do("GET", "/admin/trash/empty", nil)
	if !strings.Contains(body, "Delete 1 story for good") {
		t.Errorf("confirmation page lacks the count: %s", body)
	}
	resp, _ = b.post("/admin/trash/empty", "/admin/trash/empty", url.Values{"confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed empty = %d", resp.StatusCode)
	}
	if _, n, _ := ts.db.AdminStories(context.Background(), news.AdminFilter{Trash: true, Page: news.Page{Number: 1, Size: 10}}); n != 0 {
		t.Errorf("%d stories in the trash after emptying", n)
	}
}

// TestSaveAndTrashApart checks that "Move to trash" is not in the save
// form's button row but in its own section below.
func TestSaveAndTrashApart(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	st, _ := ts.db.StoryBySlug(context.Background(), floodSlug)
	_, body := b.do("GET", "/admin/stories/"+strconv.FormatInt(st.ID, 10), nil)
	doc := parseHTML(t, body)
	if doc.Find("form.story-form .danger").Length() != 0 {
		t.Error("a destructive button inside the story form")
	}
	if doc.Find("section.danger-zone button.danger").Text() != "Move to trash" {
		t.Error("no Move to trash in its own section")
	}
}

// TestStoryListSort sorts the newsroom's list by each order and checks
// the rows and the heading of the time column.
func TestStoryListSort(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	titles := func(doc *goquery.Document) []string {
		return doc.Find("main tbody tr td:first-child a").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	}
	for sort, column := range map[string]string{"": "Updated", "updated": "Updated", "published": "Published", "title": "Published"} {
		_, body := b.do("GET", "/admin/stories?sort="+sort, nil)
		doc := parseHTML(t, body)
		if got := doc.Find("main thead th").Eq(4).Text(); got != column {
			t.Errorf("sort %q: time column %q, want %q", sort, got, column)
		}
		list := titles(doc)
		if len(list) != 7 {
			t.Fatalf("sort %q: %d rows", sort, len(list))
		}
		if sort == "title" {
			for i := 1; i < len(list); i++ {
				if strings.ToLower(list[i-1]) > strings.ToLower(list[i]) {
					t.Errorf("sort by title: %q before %q", list[i-1], list[i])
				}
			}
		}
		if sort == "published" {
			times := doc.Find("main tbody tr td:nth-child(5) time").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("datetime", "") })
			for i := 1; i < len(times); i++ {
				if times[i-1] < times[i] {
					t.Errorf("sort by publish time: %s before %s", times[i-1], times[i])
				}
			}
		}
	}
}

// TestNewsroomTimeZone sets the newsroom's zone: the editor shows and
// reads publish times in it, the store keeps UTC, readers see the zone.
func TestNewsroomTimeZone(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "chief@example.com", news.RoleAdmin)
	b := ts.browser(t)
	b.login("chief@example.com")
	if resp, _ := b.post("/admin/settings", "/admin/settings", url.Values{"time_zone": {"Mars/Olympus"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown zone = %d, want 422", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/settings", "/admin/settings", url.Values{"time_zone": {"Europe/Prague"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set zone = %d", resp.StatusCode)
	}
	_, body := b.do("GET", "/admin/stories/new", nil)
	doc := parseHTML(t, body)
	if got := doc.Find(`label[for="published_at"]`).Text(); got != "Publish time (Europe/Prague)" {
		t.Errorf("publish time label = %q", got)
	}
	// 12:00 UTC on 16 March is 13:00 in Prague (CET).
	if got := doc.Find("#published_at").AttrOr("value", ""); got != "2026-03-16T13:00" {
		t.Errorf("new story's publish time = %q, want 2026-03-16T13:00 (Prague)", got)
	}
	resp, body := b.post("/admin/stories/new", "/admin/stories", url.Values{"title": {"Clock change reminder for readers"},
		"body": {"Clocks go forward at the end of the month."}, "status": {"published"}, "published_at": {"2026-03-16T12:30"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d: %s", resp.StatusCode, body)
	}
	st, err := ts.db.StoryBySlug(context.Background(), "clock-change-reminder-for-readers")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 16, 11, 30, 0, 0, time.UTC); !st.PublishedAt.Equal(want) {
		t.Errorf("stored publish time = %v, want %v (12:30 Prague)", st.PublishedAt, want)
	}
	doc = ts.page(t, "/articles/"+st.Slug, 200)
	if got := doc.Find(".byline .abs-time").Text(); !strings.Contains(got, "16 March 2026, 12:30 CET") {
		t.Errorf("reader's absolute time = %q, want 12:30 CET", got)
	}
}
