package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
)

// addTaggedStories imports n stories carrying ten tags each, all
// different: "topic-0-0" … "topic-{n-1}-9".
func addTaggedStories(t *testing.T, ts *testSite, n int) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		var tags []string
		for j := range 10 {
			tags = append(tags, fmt.Sprintf("topic-%d-%d", i, j))
		}
		line, _ := json.Marshal(map[string]any{"title": fmt.Sprintf("Tagged story number %d", i), "body": "A body.",
			"published_at": "2026-03-10T10:00:00Z", "url": fmt.Sprintf("https://tagged.example/%d", i), "tags": tags})
		b.Write(append(line, '\n'))
	}
	if rep, err := ingest.Import(context.Background(), deskOf(ts.db), strings.NewReader(b.String()), ""); err != nil || len(rep.Rejected) > 0 {
		t.Fatalf("import: %v %v", rep, err)
	}
}

func TestTaxonomyPageSearchesPagesAndCounts(t *testing.T) {
	ts := newTestSite(t)
	addTaggedStories(t, ts, 8) // 80 tags and more: two pages
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	ed := ts.browser(t)
	ed.login("ed@example.com")

	resp, body := ed.do("GET", "/admin/taxonomy?list=tags", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("tags list = %d", resp.StatusCode)
	}
	doc := parse(t, body)
	rows := doc.Find("table.names tbody tr")
	if rows.Length() != taxonomyPageSize {
		t.Errorf("first page lists %d tags, want %d", rows.Length(), taxonomyPageSize)
	}
	if forms := doc.Find("form[method=post]"); forms.Length() != forms.Has(`input[name=_csrf]`).Length() {
		t.Errorf("%d of %d forms lack a CSRF token", forms.Length()-forms.Has(`input[name=_csrf]`).Length(), forms.Length())
	}
	if doc.Find(`.tabs a[aria-current=page]`).Text() != "Tags" {
		t.Errorf("the tags tab is not marked current")
	}
	next, ok := doc.Find(`.pager a[rel=next]`).Attr("href")
	if !ok {
		t.Fatal("no next page")
	}
	_, body = ed.do("GET", next, nil)
	doc = parse(t, body)
	if doc.Find(`.pager a[rel=prev]`).Length() != 1 || doc.Find("table.names tbody tr").Length() == 0 {
		t.Errorf("page 2 of tags: no way back or no rows")
	}

	// Search by name: one tag, with its story count.
	_, body = ed.do("GET", "/admin/taxonomy?list=tags&q=FLOOD", nil)
	doc = parse(t, body)
	rows = doc.Find("table.names tbody tr")
	if rows.Length() != 1 || rows.Find("code").Text() != "flood" || strings.TrimSpace(rows.Find("td").Eq(2).Text()) != "4" {
		t.Errorf("search for FLOOD: %d rows, %q", rows.Length(), rows.Text())
	}
	if v, _ := doc.Find("input#q").Attr("value"); v != "FLOOD" {
		t.Errorf("the search box lost the query: %q", v)
	}
	// Sections and sources show their counts too.
	for _, list := range []string{"sections", "sources"} {
		_, body = ed.do("GET", "/admin/taxonomy?list="+list, nil)
		doc = parse(t, body)
		rows = doc.Find("table.names tbody tr")
		if rows.Length() == 0 {
			t.Fatalf("%s: no rows", list)
		}
		total := 0
		rows.Each(func(_ int, r *goquery.Selection) {
			var n int
			fmt.Sscan(strings.TrimSpace(r.Find("td").Eq(2).Text()), &n)
			total += n
		})
		if total == 0 {
			t.Errorf("%s: no story counted", list)
		}
	}
}

func TestTaxonomyFormsKeepWhatWasTyped(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	ed := ts.browser(t)
	ed.login("ed@example.com")
	from := "/admin/taxonomy?list=sections"

	// A section name already taken: 422, the typed name back in its field.
	resp, body := ed.post(from, "/admin/sections", url.Values{"name": {"World"}, "list": {"sections"}})
	doc := parse(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("adding a second World = %d, want 422", resp.StatusCode)
	}
	if v, _ := doc.Find("#new-section").Attr("value"); v != "World" || doc.Find("#new-section-error").Length() != 1 {
		t.Errorf("the refused name is not kept beside its error: %q", v)
	}
	// Renaming a section to an empty name: 422, the row shows what was typed.
	_, body = ed.do("GET", from, nil)
	doc = parse(t, body)
	action, _ := doc.Find(`table.names form`).First().Attr("action")
	resp, body = ed.post(from, action, url.Values{"name": {"   "}, "list": {"sections"}, "q": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "A name must be 1 to 60 characters.") {
		t.Errorf("renaming to blank = %d", resp.StatusCode)
	}
	// Merging unknown tags: the two slugs typed come back.
	resp, body = ed.post("/admin/taxonomy?list=tags", "/admin/tags/merge", url.Values{"from": {"nosuch"}, "into": {"flood"}, "list": {"tags"}})
	doc = parse(t, body)
	f, _ := doc.Find("#merge-from").Attr("value")
	i, _ := doc.Find("#merge-into").Attr("value")
	if resp.StatusCode != http.StatusUnprocessableEntity || f != "nosuch" || i != "flood" || doc.Find("#merge-error").Length() != 1 {
		t.Errorf("refused merge = %d with %q into %q, want 422 with both kept beside the error", resp.StatusCode, f, i)
	}
	// A rename that works returns to the same list and search.
	resp, _ = ed.post(from, action, url.Values{"name": {"Worldwide"}, "list": {"sections"}, "q": {"wor"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/admin/taxonomy?list=sections&q=wor&done=renamed" {
		t.Errorf("rename = %d → %q", resp.StatusCode, loc)
	}
	// Every taxonomy form needs the CSRF token.
	for _, path := range []string{"/admin/sections", action, "/admin/tags/merge", "/admin/tags/1/delete", "/admin/sections/1/delete"} {
		if resp, _ := ed.do("POST", path, url.Values{"name": {"X"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without a token = %d, want 403", path, resp.StatusCode)
		}
	}
}

func TestDeleteUnusedSectionOrTag(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	ed := ts.browser(t)
	ed.login("ed@example.com")
	from := "/admin/taxonomy?list=sections"
	if resp, _ := ed.post(from, "/admin/sections", url.Values{"name": {"Obituaries"}, "list": {"sections"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add section = %d", resp.StatusCode)
	}
	_, body := ed.do("GET", "/admin/taxonomy?list=sections&q=obit", nil)
	doc := parse(t, body)
	link, ok := doc.Find(`table.names a[href*="/delete"]`).Attr("href")
	if !ok {
		t.Fatal("an unused section has no delete link")
	}
	_, body = ed.do("GET", "/admin/taxonomy?list=sections&q=world", nil)
	if parse(t, body).Find(`table.names a[href*="/delete"]`).Length() != 0 {
		t.Errorf("a section in use offers to be deleted")
	}
	// The link asks first; nothing is deleted by following it.
	resp, body := ed.do("GET", link, nil)
	doc = parse(t, body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find("h1").Text(), "Obituaries") || doc.Find(`form input[name=confirm]`).Length() != 1 {
		t.Fatalf("confirmation page = %d: %q", resp.StatusCode, doc.Find("h1").Text())
	}
	action, _ := doc.Find("form[method=post]").Last().Attr("action")
	resp, _ = ed.post(link, action, url.Values{"confirm": {"yes"}, "list": {"sections"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=deleted") {
		t.Fatalf("delete = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = ed.do("GET", "/admin/taxonomy?list=sections&q=obit", nil)
	if strings.Contains(body, "<code>obituaries</code>") {
		t.Errorf("the deleted section is still listed")
	}

	// A tag in use: the confirmation page says why not, and a forced POST
	// is refused with the reason.
	_, body = ed.do("GET", "/admin/taxonomy?list=tags&q=flood", nil)
	rename, _ := parse(t, body).Find("table.names form").First().Attr("action")
	del := rename + "/delete"
	_, body = ed.do("GET", del, nil)
	if !strings.Contains(body, "is still used by 4 stories") || strings.Contains(body, `name="confirm"`) {
		t.Errorf("the confirmation page of a tag in use does not refuse")
	}
	resp, body = ed.post(del, del, url.Values{"confirm": {"yes"}, "list": {"tags"}, "q": {"flood"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "is still used by 4 stories") {
		t.Errorf("forced delete of a tag in use = %d", resp.StatusCode)
	}
	if _, err := ts.db.Tag(context.Background(), "flood"); err != nil {
		t.Errorf("the tag in use is gone: %v", err)
	}
}
