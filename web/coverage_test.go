package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestOneCardPerStoryAndCoverage(t *testing.T) {
	ts := newTestSite(t)
	lead := "vltava-floods-prague-old-town-as-river-bursts-its-banks"
	copySlug := "river-bursts-banks-and-floods-prague-old-town"

	_, body := ts.get(t, "/")
	if n := strings.Count(body, `href="/articles/`+copySlug+`"`); n != 0 {
		t.Errorf("front page links the copy %d times, want it folded into the wire's card", n)
	}
	if !strings.Contains(body, `Also covered by <a href="/coverage/`+lead+`"`) ||
		!strings.Contains(body, ">Continental Press</a>") {
		t.Errorf("front page card does not name the other source with a link to its coverage")
	}
	_, body = ts.get(t, "/search?q=prague+flood")
	if strings.Contains(body, `href="/articles/`+copySlug+`"`) {
		t.Errorf("search shows both versions of one story")
	}

	for _, slug := range []string{lead, copySlug} {
		resp, body := ts.get(t, "/coverage/"+slug)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /coverage/%s = %d", slug, resp.StatusCode)
		}
		wire, cp := strings.Index(body, `href="/articles/`+lead+`"`), strings.Index(body, `href="/articles/`+copySlug+`"`)
		if wire < 0 || cp < 0 || wire > cp {
			t.Errorf("coverage of %s: want both versions, oldest (the wire's) first", slug)
		}
		for _, want := range []string{`<aside id="related"`, `href="/articles/` + lead + `/feed.xml"`, "Lead version", `<link rel="canonical" href="https://news.example/coverage/` + lead + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("coverage of %s lacks %s", slug, want)
			}
		}
	}
	if resp, _ := ts.get(t, "/coverage/no-such-story"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown coverage = %d, want 404", resp.StatusCode)
	}
	// Feeds: one entry per story, except a source's own feed.
	for _, feed := range []string{"/feed.xml", "/tags/flood/feed.xml", "/sections/world/feed.xml"} {
		_, body := ts.get(t, feed)
		if !strings.Contains(body, "/articles/"+lead+`"`) || strings.Contains(body, "/articles/"+copySlug+`"`) {
			t.Errorf("%s: want the wire's entry and not the copy's", feed)
		}
	}
	if _, body := ts.get(t, "/sources/continental-press/feed.xml"); !strings.Contains(body, "/articles/"+copySlug+`"`) {
		t.Errorf("the copy's source feed does not list it")
	}
	_, body = ts.get(t, "/articles/"+copySlug)
	if !strings.Contains(body, `href="/coverage/`+copySlug+`"`) {
		t.Errorf("article page does not link to its full coverage")
	}
}
