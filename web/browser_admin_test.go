package web

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"newsdesk/internal/news"
)

// TestBrowserAdminOnAPhone opens every newsroom page at 390 px, a phone's
// width, and checks that none scrolls sideways.
func TestBrowserAdminOnAPhone(t *testing.T) {
	base, _, db := liveSiteWithStories(t)
	bg := context.Background()
	if err := db.CreateUser(bg, &news.User{Email: "chief@example.com", Name: "Chief", Role: news.RoleAdmin}, "a long passphrase"); err != nil {
		t.Fatal(err)
	}
	st, err := db.StoryBySlug(bg, floodSlug)
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(st.ID, 10)
	if err := db.AddSection(bg, "Obituaries and Remembrances of Long Lives"); err != nil {
		t.Fatal(err)
	}
	unused, _, err := db.Names(bg, news.NameFilter{Kind: "sections", Query: "obituaries", Page: news.Page{Number: 1, Size: 1}})
	if err != nil || len(unused) != 1 {
		t.Fatalf("the unused section: %v %v", unused, err)
	}
	ctx := newBrowser(t)
	if err := chromedp.Run(ctx,
		network.SetCacheDisabled(true),
		chromedp.EmulateViewport(390, 800),
		chromedp.Navigate(base+"/admin/login"),
		chromedp.SetValue("#email", "chief@example.com", chromedp.ByQuery),
		chromedp.SetValue("#password", "a long passphrase", chromedp.ByQuery),
		chromedp.Submit("#password", chromedp.ByQuery),
		chromedp.WaitVisible("table", chromedp.ByQuery),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}
	for _, path := range []string{"/admin/stories", "/admin/stories?trash=1", "/admin/stories/new", "/admin/stories/" + id,
		"/admin/stories/" + id + "/revisions", "/admin/stories/" + id + "/preview", "/admin/comments", "/admin/taxonomy",
		"/admin/users", "/admin/settings", "/admin/account", "/admin/trash/empty",
		"/admin/taxonomy?list=sources", "/admin/taxonomy?list=tags", "/admin/taxonomy?list=tags&q=flood",
		"/admin/sections/" + strconv.FormatInt(unused[0].ID, 10) + "/delete"} {
		checkNoSidewaysScroll(t, ctx, base+path, 390)
	}
}
