package web

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"newsdesk/internal/ingest"
)

// TestBrowserCoverage follows a story carried by three sources in
// Chromium: the article's "Also covered by" leads to /coverage/{slug},
// which lists every version oldest first, and each version's link opens
// that version.
func TestBrowserCoverage(t *testing.T) {
	base, _, db := liveSite(t)
	ctx := newBrowser(t)
	f, err := os.Open("../internal/demo/stories.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := ingest.Import(context.Background(), deskOf(db), f, ""); err != nil {
		t.Fatal(err)
	}
	// A syndicator's excerpt-only copy of the wire's malaria story, two
	// hours after it: the story now has three versions.
	syndicated := `{"title": "Malaria Vaccine Cuts Severe Cases by Two-Thirds in Large African Trial", "body": "An experimental malaria vaccine cut cases of severe malaria among young children by about two-thirds over two years in a large trial across four African countries, researchers reported on Sunday, raising hopes for a new tool against a disease that still kills hundreds of thousands of children each year.", "published_at": "2026-03-15T11:10:00Z", "source": "Yahoo News", "url": "https://yahoo.example/malaria-vaccine-cuts-severe-cases"}`
	if rep, err := ingest.Import(context.Background(), deskOf(db), strings.NewReader(syndicated), ""); err != nil || rep.Copies != 1 {
		t.Fatalf("import the copy: %v %v, want one copy", rep, err)
	}

	const staff = "/articles/new-malaria-vaccine-cuts-severe-cases-in-children-by-two-thirds-trial-finds"
	type version struct{ Source, Title, Href, Time string }
	var others []version
	var url string
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("open the newsroom's version",
		chromedp.Navigate(base+staff),
		chromedp.WaitVisible("article .also-covered", chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll("article .also-covered a:not(.coverage-link)")].map(a => ({Source: a.textContent, Href: a.getAttribute("href")}))`, &others),
	)
	var names []string
	for _, o := range others {
		names = append(names, o.Source)
	}
	if slices.Sort(names); !slices.Equal(names, []string{"Global Wire", "Yahoo News"}) {
		t.Errorf("Also covered by names %v, want the other two sources", names)
	}
	run("follow Full coverage",
		chromedp.Click("article .also-covered a.coverage-link", chromedp.ByQuery),
		chromedp.WaitVisible("ol.coverage-list", chromedp.ByQuery),
		chromedp.Location(&url),
	)
	if !strings.HasSuffix(url, "/coverage/new-malaria-vaccine-cuts-severe-cases-in-children-by-two-thirds-trial-finds") {
		t.Errorf("Full coverage led to %s", url)
	}
	var versions []version
	var related int
	run("read the versions",
		chromedp.Evaluate(`[...document.querySelectorAll("ol.coverage-list > li")].map(li => ({
			Source: li.querySelector("a.source").textContent,
			Title: li.querySelector("h2 a").textContent,
			Href: li.querySelector("h2 a").getAttribute("href"),
			Time: li.querySelector("time").getAttribute("datetime")}))`, &versions),
		chromedp.Evaluate(`document.querySelectorAll("aside#related li").length`, &related),
	)
	var sources []string
	for i, v := range versions {
		sources = append(sources, v.Source)
		if i > 0 {
			prev, err1 := time.Parse(time.RFC3339, versions[i-1].Time)
			cur, err2 := time.Parse(time.RFC3339, v.Time)
			if err1 != nil || err2 != nil || !prev.Before(cur) {
				t.Errorf("version %d at %q listed after one at %q: want oldest first", i, v.Time, versions[i-1].Time)
			}
		}
	}
	if want := []string{"Global Wire", "Newsdesk Staff", "Yahoo News"}; !slices.Equal(sources, want) {
		t.Errorf("coverage lists %v, want %v (oldest first)", sources, want)
	}
	if related == 0 {
		t.Errorf("coverage page shows no related stories")
	}
	// Every version's link opens that version, and the article page's
	// "Also covered by" named exactly the versions listed here.
	for i, v := range versions {
		var h1 string
		run("open version "+v.Source,
			chromedp.Navigate(url),
			chromedp.WaitVisible("ol.coverage-list", chromedp.ByQuery),
			chromedp.Click(`ol.coverage-list > li:nth-child(`+string(rune('1'+i))+`) h2 a`, chromedp.ByQuery),
			chromedp.WaitVisible("article h1", chromedp.ByQuery),
			chromedp.Text("article h1", &h1, chromedp.ByQuery),
			chromedp.Location(&url),
		)
		if h1 != v.Title || !strings.HasSuffix(url, v.Href) {
			t.Errorf("link %d (%s) opened %q at %s, want %q at %s", i, v.Source, h1, url, v.Title, v.Href)
		}
		url = base + "/coverage/new-malaria-vaccine-cuts-severe-cases-in-children-by-two-thirds-trial-finds"
		if v.Source != "Newsdesk Staff" && !slices.ContainsFunc(others, func(o version) bool { return o.Href == v.Href }) {
			t.Errorf("Also covered by does not link %s's version %s", v.Source, v.Href)
		}
	}
	var feed string
	run("find the follow feed",
		chromedp.Navigate(url),
		chromedp.AttributeValue(`.list-header .follow a`, "href", &feed, nil, chromedp.ByQuery))
	if code, body := httpGet(t, base+feed); code != 200 || !strings.Contains(body, "<feed") {
		t.Errorf("follow feed %s = %d", feed, code)
	}
}
