package web

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdpage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"newsdesk/internal/news"
)

// watch counts, for the browser tab in ctx, JavaScript dialogs (alert and
// friends), console messages and CSP violations reported by the browser.
type watch struct {
	mu         sync.Mutex
	dialogs    int
	violations []string
}

func watchTab(ctx context.Context) *watch {
	w := &watch{}
	chromedp.ListenTarget(ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch ev := ev.(type) {
		case *cdpage.EventJavascriptDialogOpening:
			w.dialogs++
			go chromedp.Run(ctx, cdpage.HandleJavaScriptDialog(false))
		case *log.EventEntryAdded:
			if strings.Contains(ev.Entry.Text, "Content Security Policy") {
				w.violations = append(w.violations, ev.Entry.Text)
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				w.violations = append(w.violations, "console error")
			}
		}
	})
	return w
}

func TestBrowserCommentModeration(t *testing.T) {
	base, srv, db := liveSite(t)
	ctx := newBrowser(t)
	bg := context.Background()
	st := &news.Story{Title: "Ferry timetable changes for the winter", Body: "The ferry runs less often from December.",
		Source: news.Source{Name: "Newsdesk"}, Status: news.StatusPublished, PublishedAt: time.Now().Add(-time.Hour)}
	if err := db.CreateStory(bg, st, 0); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(bg, &news.User{Email: "mod@example.com", Name: "Mod", Role: news.RoleEditor}, "moderator password"); err != nil {
		t.Fatal(err)
	}
	_ = srv
	article := base + "/articles/ferry-timetable-changes-for-the-winter"
	var text string
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("write a comment",
		// What the server sends, not the browser's copy of it (max-age=60).
		network.SetCacheDisabled(true),
		chromedp.Navigate(article),
		chromedp.Text("#comments", &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "No comments yet...") {
		t.Fatalf("empty comments section = %q", text)
	}
	time.Sleep(commentMinDelay) // a person takes a while to type
	run("send it",
		chromedp.SendKeys("#name", "Harbour Reader", chromedp.ByQuery),
		chromedp.SendKeys("#body", "Will the early boat still run on Saturdays?", chromedp.ByQuery),
		chromedp.Submit("#body", chromedp.ByQuery),
		chromedp.WaitVisible(`//p[contains(., "will appear once it is approved")]`, chromedp.BySearch),
		chromedp.Text("#comments", &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "No comments yet...") {
		t.Error("a pending comment is shown to readers")
	}
	run("approve it",
		chromedp.Navigate(base+"/admin/login"),
		chromedp.SendKeys("#email", "mod@example.com", chromedp.ByQuery),
		chromedp.SendKeys("#password", "moderator password", chromedp.ByQuery),
		chromedp.Submit("#password", chromedp.ByQuery),
		chromedp.WaitVisible(`table`, chromedp.ByQuery),
		chromedp.Navigate(base+"/admin/comments"),
		chromedp.Click(`input[name="id"]`, chromedp.ByQuery),
		chromedp.Click(`button[value="approved"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//p[contains(., "Comments updated")]`, chromedp.BySearch),
		chromedp.Navigate(article),
		chromedp.Text("#comments", &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "Will the early boat still run on Saturdays?") || strings.Contains(text, "No comments yet...") {
		t.Errorf("approved comment not on the page: %q", text)
	}
}

// xssPayloads are the classic families: tags, handlers, URLs, SVG,
// attribute and script breakouts, Markdown tricks, encodings.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=//x.example/x.js></SCRIPT>`,
	`<img src=x onerror=alert(1)>`,
	`<IMG SRC="javascript:alert('XSS');">`,
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<body onload=alert(1)>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`"><script>alert(1)</script>`,
	`'><img src=x onerror=alert(1)>`,
	`" onmouseover="alert(1)`,
	`</script><script>alert(1)</script>`,
	`</title><script>alert(1)</script>`,
	`</textarea><script>alert(1)</script>`,
	`[click](javascript:alert(1))`,
	`![x](javascript:alert(1))`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`<details open ontoggle=alert(1)>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<object data="javascript:alert(1)">`,
	`<embed src="javascript:alert(1)">`,
	`<input autofocus onfocus=alert(1)>`,
	`<style>@import 'javascript:alert(1)';</style>`,
	`\u003cscript\u003ealert(1)\u003c/script\u003e`,
	"\u2028\u2029<script>alert(1)</script>",
	`<scr<script>ipt>alert(1)</script>`,
	`<a href="jav&#x09;ascript:alert(1)">x</a>`,
	`<base href="javascript:/a/-alert(1)///////">`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<form action="javascript:alert(1)"><button>x</button></form>`,
}

func TestBrowserXSS(t *testing.T) {
	base, _, db := liveSite(t)
	ctx := newBrowser(t)
	bg := context.Background()
	var slugs []string
	for i, p := range xssPayloads {
		st := &news.Story{Title: "Story " + strings.Repeat("x", i%3) + " " + p, Summary: p, Body: "Text " + p + "\n\n" + p,
			Source: news.Source{Name: "Src " + p}, Author: p, Dateline: p, Section: news.Section{Name: "World"},
			Tags: news.NewTags([]string{p, "xss"}), ImageURL: "https://images.example/a.jpg", ImageAlt: p,
			Status: news.StatusPublished, PublishedAt: time.Now().Add(-time.Duration(i+1) * time.Minute)}
		if err := db.CreateStory(bg, st, 0); err != nil {
			t.Fatalf("payload %d: %v", i, err)
		}
		name := p
		if len(name) > 60 {
			name = name[:60]
		}
		c := &news.Comment{StoryID: st.ID, Name: name, Body: "c " + p}
		if err := db.AddComment(bg, c, false); err != nil {
			t.Fatalf("comment %d: %v", i, err)
		}
		if err := db.ModerateComments(bg, []int64{c.ID}, news.CommentApproved); err != nil {
			t.Fatal(err)
		}
		slugs = append(slugs, st.Slug)
	}
	w := watchTab(ctx)
	if err := chromedp.Run(ctx, log.Enable(), runtime.Enable()); err != nil {
		t.Fatal(err)
	}
	pages := []string{"/", "/tags/xss", "/sections/world", "/search?q=story", "/feed.xml"}
	for _, s := range slugs {
		pages = append(pages, "/articles/"+s)
	}
	for _, p := range pages {
		var scripts int
		if err := chromedp.Run(ctx,
			chromedp.Navigate(base+p),
			chromedp.Evaluate(`document.querySelectorAll("script:not([type='application/ld+json'])").length`, &scripts),
		); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if scripts != 0 {
			t.Errorf("%s has %d script elements", p, scripts)
		}
	}
	time.Sleep(200 * time.Millisecond)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dialogs != 0 || len(w.violations) != 0 {
		t.Errorf("scripts ran: %d dialogs, violations %v", w.dialogs, w.violations)
	}
}
