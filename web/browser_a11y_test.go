package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
)

// liveSiteWithStories is liveSite holding testdata/stories.ndjson.
func liveSiteWithStories(t *testing.T) (string, *Server, testStore) {
	t.Helper()
	base, srv, db := liveSite(t)
	f, err := os.Open("testdata/stories.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rep, err := ingest.Import(context.Background(), deskOf(db), f, ""); err != nil || len(rep.Rejected) > 0 {
		t.Fatalf("import: %v %v", rep, err)
	}
	return base, srv, db
}

// axeViolation is the part of an axe-core result a failure message needs.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// runAxe runs axe-core (testdata/axe.min.js, the same rules as the
// browser extension) on the page open in ctx, for WCAG 2.x A and AA and
// best practices, and returns its violations.
func runAxe(ctx context.Context, axe string) ([]axeViolation, error) {
	var out string
	err := chromedp.Run(ctx,
		chromedp.Evaluate(axe, nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
			.then(r => JSON.stringify(r.violations))`, &out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
			return p.WithAwaitPromise(true)
		}),
	)
	if err != nil {
		return nil, err
	}
	var v []axeViolation
	return v, json.Unmarshal([]byte(out), &v)
}

// TestBrowserAccessibility opens every reader page type in Chromium, in
// light and dark mode, and checks that axe-core finds nothing and that
// nothing scrolls sideways at 320 px (WCAG 1.4.10 reflow) or 390 px.
func TestBrowserAccessibility(t *testing.T) {
	base, _, _ := liveSiteWithStories(t)
	ctx := newBrowser(t)
	axe, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx, network.SetCacheDisabled(true)); err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"light", "dark"} {
		if err := chromedp.Run(ctx, emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}})); err != nil {
			t.Fatal(err)
		}
		for _, p := range readerPages {
			if err := chromedp.Run(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+p.path)); err != nil {
				t.Fatalf("open %s: %v", p.path, err)
			}
			vs, err := runAxe(ctx, string(axe))
			if err != nil {
				t.Fatalf("axe on %s: %v", p.path, err)
			}
			for _, v := range vs {
				var where []string
				for _, n := range v.Nodes {
					where = append(where, fmt.Sprint(n.Target...))
				}
				t.Errorf("%s (%s): axe %s: %s at %s", p.path, scheme, v.ID, v.Help, strings.Join(where, ", "))
			}
		}
	}
	for _, width := range []int64{320, 390} {
		for _, p := range readerPages {
			checkNoSidewaysScroll(t, ctx, base+p.path, width)
		}
	}
}

// checkNoSidewaysScroll fails when the page at url is wider than a
// viewport of width CSS pixels.
func checkNoSidewaysScroll(t *testing.T, ctx context.Context, url string, width int64) {
	t.Helper()
	var scroll, client int64
	if err := chromedp.Run(ctx,
		chromedp.EmulateViewport(width, 800),
		chromedp.Navigate(url),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &scroll),
		chromedp.Evaluate(`document.documentElement.clientWidth`, &client),
	); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	if scroll > client {
		// Name the widest elements, for whoever fixes it.
		var wide []string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`(() => {
			const clipped = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
				if (getComputedStyle(p).overflowX !== "visible") return true; return false; };
			return [...document.querySelectorAll("body *")]
				.filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !clipped(e))
				.slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : ""));
		})()`, &wide))
		t.Errorf("%s at %d px: page is %d px wide, scrolls sideways by %d px (%s)", url, width, scroll, scroll-client, strings.Join(wide, ", "))
	}
}

// TestBrowserCommentErrorFocus checks that a comment the server refuses
// brings the reader to the reason: focus and view on the error summary,
// and a title that starts with "Error".
func TestBrowserCommentErrorFocus(t *testing.T) {
	base, _, db := liveSite(t)
	st := &news.Story{Title: "Harbour wall repairs start on Monday", Body: "The harbour wall will be closed for repairs.",
		Source: news.Source{Name: "Newsdesk"}, Status: news.StatusPublished, PublishedAt: time.Now().Add(-time.Hour)}
	if err := deskOf(db).CreateStory(context.Background(), st, 0); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	var active, title string
	var top, height float64
	err := chromedp.Run(ctx,
		network.SetCacheDisabled(true),
		chromedp.EmulateViewport(390, 800),
		chromedp.Navigate(base+"/articles/"+st.Slug),
		chromedp.SetValue("#name", "Quick Reader", chromedp.ByQuery),
		chromedp.SetValue("#body", "Sent at once, faster than a person types.", chromedp.ByQuery),
		// Sooner than commentMinDelay after the page was rendered.
		chromedp.Submit("#body", chromedp.ByQuery),
		chromedp.WaitVisible("#comment-error", chromedp.ByQuery),
		// Focus and (smooth) scrolling settle after load; wait for them, bounded.
		chromedp.ActionFunc(func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			var ok bool
			_ = chromedp.Poll(`(() => { const e = document.getElementById("comment-error"), r = e.getBoundingClientRect();
				return document.activeElement === e && r.top >= 0 && r.top < window.innerHeight; })()`, &ok).Do(ctx)
			return nil
		}),
		chromedp.Evaluate(`document.activeElement.id`, &active),
		chromedp.Evaluate(`document.getElementById("comment-error").getBoundingClientRect().top`, &top),
		chromedp.Evaluate(`window.innerHeight`, &height),
		chromedp.Title(&title),
	)
	if err != nil {
		t.Fatal(err)
	}
	if active != "comment-error" {
		t.Errorf("focus is on #%s, want #comment-error", active)
	}
	if top < 0 || top > height {
		t.Errorf("error summary at y=%v, outside the %v px viewport", top, height)
	}
	if !strings.HasPrefix(title, "Error: ") {
		t.Errorf("title = %q, want it to start with Error: ", title)
	}
	var name, body string
	if err := chromedp.Run(ctx, chromedp.Value("#name", &name, chromedp.ByQuery), chromedp.Value("#body", &body, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if name != "Quick Reader" || !strings.HasPrefix(body, "Sent at once") {
		t.Errorf("form lost what was typed: name %q, body %q", name, body)
	}
}
