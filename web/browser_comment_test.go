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
	if err := deskOf(db).CreateStory(bg, st, 0); err != nil {
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
	`<img src="x" onerror="alert(1)"//`,
	`<IMG """><SCRIPT>alert(1)</SCRIPT>">`,
	`<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>`,
	`<IMG SRC=# onmouseover="alert(1)">`,
	`<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>`,
	`<img src=x:alert(alt) onerror=eval(src) alt=0>`,
	`<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>`,
	`<IMG SRC="jav	ascript:alert('XSS');">`,
	`<IMG SRC=" &#14;  javascript:alert('XSS');">`,
	`<SCRIPT/XSS SRC="http://xss.example/xss.js"></SCRIPT>`,
	`<BODY onload!#$%&()*~+-_.,:;?@[/|\]^` + "`" + `=alert("XSS")>`,
	`<<SCRIPT>alert("XSS");//\<</SCRIPT>`,
	`<SCRIPT SRC=http://xss.example/xss.js?< B >`,
	`<iframe src=http://xss.example/scriptlet.html <`,
	`\";alert('XSS');//`,
	`</TITLE><SCRIPT>alert("XSS");</SCRIPT>`,
	`<INPUT TYPE="IMAGE" SRC="javascript:alert('XSS');">`,
	`<BODY BACKGROUND="javascript:alert('XSS')">`,
	`<IMG DYNSRC="javascript:alert('XSS')">`,
	`<STYLE>li {list-style-image: url("javascript:alert('XSS')");}</STYLE><UL><LI>XSS</br>`,
	`<svg/onload=alert('XSS')>`,
	`<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>`,
	`<svg><animate onbegin=alert(1) attributeName=x dur=1s>`,
	`<svg><set attributeName="onload" to="alert(1)"/></svg>`,
	`<LINK REL="stylesheet" HREF="javascript:alert('XSS');">`,
	`<TABLE BACKGROUND="javascript:alert('XSS')">`,
	`<DIV STYLE="background-image: url(javascript:alert('XSS'))">`,
	`<DIV STYLE="width: expression(alert('XSS'));">`,
	`<a href="  javascript:alert(1)">x</a>`,
	`<a href="JaVaScRiPt:alert(1)">x</a>`,
	`<a href="vbscript:msgbox(1)">x</a>`,
	`<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>`,
	`<video><source onerror="alert(1)">`,
	`<audio src=x onerror=alert(1)>`,
	`<marquee onstart=alert(1)>`,
	`<select autofocus onfocus=alert(1)>`,
	`<textarea autofocus onfocus=alert(1)>`,
	`<keygen autofocus onfocus=alert(1)>`,
	`<isindex type=image src=1 onerror=alert(1)>`,
	`<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<template><script>alert(1)</script></template>`,
	`<xmp><script>alert(1)</script></xmp>`,
	`<!--<img src="--><img src=x onerror=alert(1)//">`,
	`<![CDATA[<script>alert(1)</script>]]>`,
	`{{constructor.constructor('alert(1)')()}}`,
	`${alert(1)}`,
	`[a](javascript&#58;alert(1))`,
	`[a](  javascript:alert(1)  )`,
	`[a](<javascript:alert(1)>)`,
	`<javascript:alert(1)>`,
	`[a]: javascript:alert(1)` + "\n\n[ref][a]",
	`![a](x" onerror="alert(1))`,
	"```html\n<script>alert(1)</script>\n```",
	`<a href="https://ok.example" target="_blank" onclick="alert(1)">ok</a>`,
	`%3Cscript%3Ealert(1)%3C/script%3E`,
	`&lt;script&gt;alert(1)&lt;/script&gt;`,
	"\uFF1Cscript\uFF1Ealert(1)\uFF1C/script\uFF1E",
	`"}; alert(1); {"`,
	`</script><img src=x onerror=alert(1)>{"a":"`,
}

func TestBrowserXSS(t *testing.T) {
	if len(xssPayloads) < 80 {
		t.Fatalf("only %d payloads", len(xssPayloads))
	}
	base, _, db := liveSite(t)
	ctx := newBrowser(t)
	bg := context.Background()
	var slugs []string
	for i, p := range xssPayloads {
		st := &news.Story{Title: "Story " + strings.Repeat("x", i%3) + " " + p, Summary: p, Body: "Text " + p + "\n\n" + p,
			Source: news.Source{Name: "Src " + p}, Author: p, Dateline: p, Section: news.Section{Name: "World"},
			Tags: news.NewTags([]string{p, "xss"}), ImageURL: "https://images.example/a.jpg", ImageAlt: p,
			Status: news.StatusPublished, PublishedAt: time.Now().Add(-time.Duration(i+1) * time.Minute)}
		if err := deskOf(db).CreateStory(bg, st, 0); err != nil {
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
