package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"newsdesk/internal/news"
)

var commentToken = regexp.MustCompile(`<form class="comment-form"[^>]*>.*?name="_csrf" value="([^"]+)"`)

// commentForm loads the article and returns a filled comment form.
func commentForm(t *testing.T, b *browser, slug, name, body string) url.Values {
	t.Helper()
	_, page := b.do("GET", "/articles/"+slug, nil)
	m := commentToken.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no comment form on %s", slug)
	}
	return url.Values{"_csrf": {m[1]}, "name": {name}, "email": {""}, "body": {body}, "website": {""}}
}

func comments(t *testing.T, ts *testSite) int {
	n, err := ts.db.CommentCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n["pending"] + n["approved"]
}

func TestCommentRules(t *testing.T) {
	ts := newTestSite(t)
	b := ts.browser(t)
	path := "/articles/" + floodSlug + "/comments"
	tests := []struct {
		name   string
		edit   func(url.Values)
		wait   time.Duration
		header []string
		status int
		msg    string
	}{
		{"missing token", func(f url.Values) { f.Del("_csrf") }, 5 * time.Second, nil, 403, "expired"},
		{"forged token", func(f url.Values) { f.Set("_csrf", "1773662400.deadbeef") }, 5 * time.Second, nil, 403, "expired"},
		{"cross-site", nil, 5 * time.Second, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, "Cross-site"},
		{"honeypot", func(f url.Values) { f.Set("website", "http://spam.example") }, 5 * time.Second, nil, 422, "automated"},
		{"empty name", func(f url.Values) { f.Set("name", " ") }, 5 * time.Second, nil, 422, "1 to 60"},
		{"long name", func(f url.Values) { f.Set("name", strings.Repeat("n", 61)) }, 5 * time.Second, nil, 422, "1 to 60"},
		{"short body", func(f url.Values) { f.Set("body", "x") }, 5 * time.Second, nil, 422, "2 to 5,000"},
		{"long body", func(f url.Values) { f.Set("body", strings.Repeat("b", 5001)) }, 5 * time.Second, nil, 422, "2 to 5,000"},
		{"bad email", func(f url.Values) { f.Set("email", "not-an-email") }, 5 * time.Second, nil, 422, "email address"},
	}
	for _, tt := range tests {
		form := commentForm(t, b, floodSlug, "Reader <b>One</b>", "My typed text & thoughts")
		if tt.edit != nil {
			tt.edit(form)
		}
		ts.clock.Advance(tt.wait)
		resp, body := b.do("POST", path, form, tt.header...)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.msg) {
			t.Errorf("%s: status %d, want %d with %q", tt.name, resp.StatusCode, tt.status, tt.msg)
		}
		if resp.StatusCode == 422 || resp.StatusCode == 429 {
			doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
			if got := doc.Find(".comment-form textarea#body").Text(); got != form.Get("body") {
				t.Errorf("%s: body not kept: %.40q", tt.name, got)
			}
		}
	}
	// Sent faster than a person could type, counted from when the page
	// was rendered (a fresh render: this story's page is not cached yet).
	const costSlug = "prague-counts-the-cost-of-the-flood-as-water-recedes"
	form := commentForm(t, b, costSlug, "Bot", "Instant reply")
	if resp, body := b.do("POST", "/articles/"+costSlug+"/comments", form); resp.StatusCode != 429 || !strings.Contains(body, "quick") {
		t.Errorf("too fast: status %d, want 429", resp.StatusCode)
	}
	if n := comments(t, ts); n != 0 {
		t.Fatalf("%d comments stored by rejected posts", n)
	}
	if resp, _ := b.do("POST", "/articles/nope/comments", url.Values{}); resp.StatusCode != 404 {
		t.Errorf("comment on unknown story = %d, want 404", resp.StatusCode)
	}

	// A good comment is held for moderation; the page still says none.
	form = commentForm(t, b, floodSlug, "Reader One", "First!\n\nSee https://example.org/x.")
	ts.clock.Advance(5 * time.Second)
	resp, _ := b.do("POST", path, form)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "comment=pending") {
		t.Fatalf("good comment = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := b.do("GET", resp.Header.Get("Location"), nil)
	if !strings.Contains(page, "Thanks — your comment will appear once it is approved.") || !strings.Contains(page, "No comments yet...") {
		t.Error("after posting: no thanks message, or the pending comment is shown")
	}
	// Approving it shows it at once, with the count and a safe link.
	queue, _ := ts.db.ModerationQueue(context.Background(), news.CommentPending, 10)
	if len(queue) != 1 {
		t.Fatalf("queue has %d comments", len(queue))
	}
	if err := ts.db.ModerateComments(context.Background(), []int64{queue[0].ID}, news.CommentApproved); err != nil {
		t.Fatal(err)
	}
	doc := ts.page(t, "/articles/"+floodSlug, 200)
	com := doc.Find("section#comments")
	if strings.Contains(com.Text(), "No comments yet...") || com.Find("li.comment").Length() != 1 {
		t.Errorf("approved comment not shown: %q", com.Text())
	}
	if rel, _ := com.Find(`a[href="https://example.org/x"]`).Attr("rel"); rel != "nofollow ugc noopener noreferrer" {
		t.Errorf("comment link rel = %q", rel)
	}
	if com.Find("li.comment p").Length() != 3 {
		t.Errorf("comment paragraphs = %d, want 2 plus the meta line", com.Find("li.comment p").Length())
	}
	if !strings.Contains(doc.Find("article .byline").Text(), "1 comment") {
		t.Error("article header lacks the comment count")
	}
}

func TestCommentRateLimit(t *testing.T) {
	ts := newTestSite(t)
	b := ts.browser(t)
	path := "/articles/" + floodSlug + "/comments"
	for i := range commentsPerIP + 1 {
		form := commentForm(t, b, floodSlug, "Chatty", "Comment number "+strings.Repeat("!", i+1))
		ts.clock.Advance(5 * time.Second)
		resp, _ := b.do("POST", path, form)
		want := http.StatusSeeOther
		if i == commentsPerIP {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Errorf("comment %d = %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}

func TestClosedComments(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	b := ts.browser(t)
	form := commentForm(t, b, floodSlug, "Late", "Too late for this one")
	if err := ts.db.SetCommentSettings(ctx, news.CommentSettings{Open: false, CloseAfterDays: 30}); err != nil {
		t.Fatal(err)
	}
	ts.clock.Advance(5 * time.Second)
	resp, body := b.do("POST", "/articles/"+floodSlug+"/comments", form)
	if resp.StatusCode != 403 || !strings.Contains(body, "Comments are closed") {
		t.Errorf("comment when closed = %d", resp.StatusCode)
	}
	doc := ts.page(t, "/articles/"+floodSlug, 200)
	if doc.Find("form.comment-form").Length() != 0 || !strings.Contains(doc.Find("#comments").Text(), "Comments are closed") {
		t.Error("closed story still shows the comment form")
	}
	// Auto-close: open site-wide, but the story is older than 1 day.
	ts.db.SetCommentSettings(ctx, news.CommentSettings{Open: true, CloseAfterDays: 1})
	doc = ts.page(t, "/articles/"+floodSlug, 200)
	if doc.Find("form.comment-form").Length() != 0 {
		t.Error("story older than the auto-close age takes comments")
	}
}

func TestHostileCommentsRenderInert(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	st, _ := ts.db.StoryBySlug(ctx, floodSlug)
	payloads := []string{`<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `javascript:alert(1)`,
		`"><svg onload=alert(1)>`, `[x](javascript:alert(1))`, `http://x.example/"onmouseover="alert(1)`}
	var ids []int64
	for _, p := range payloads {
		c := &news.Comment{StoryID: st.ID, Name: p[:min(len(p), 60)], Body: p + " body"}
		if err := ts.db.AddComment(ctx, c, false); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	if err := ts.db.ModerateComments(ctx, ids, news.CommentApproved); err != nil {
		t.Fatal(err)
	}
	doc := ts.page(t, "/articles/"+floodSlug, 200)
	doc.Find("#comments *").Each(func(_ int, el *goquery.Selection) {
		switch goquery.NodeName(el) {
		case "script", "img", "svg", "iframe":
			t.Errorf("comment produced <%s>", goquery.NodeName(el))
		}
		for _, a := range el.Nodes[0].Attr {
			if strings.HasPrefix(a.Key, "on") || strings.Contains(strings.ToLower(a.Val), "javascript:") {
				t.Errorf("comment produced attribute %s=%q", a.Key, a.Val)
			}
		}
	})
	if n := doc.Find("#comments li.comment").Length(); n != len(payloads) {
		t.Errorf("%d comments shown, want %d", n, len(payloads))
	}
}

// Simultaneous posts cannot slip under the limit together.
func TestCommentRateLimitUnderConcurrency(t *testing.T) {
	ts := newTestSite(t)
	b := ts.browser(t)
	form := commentForm(t, b, floodSlug, "Racer", "race comment")
	ts.clock.Advance(5 * time.Second)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			f.Set("body", fmt.Sprintf("race comment %d", i))
			resp, err := http.Post(ts.URL+"/articles/"+floodSlug+"/comments", "application/x-www-form-urlencoded", strings.NewReader(f.Encode()))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The default client follows the redirect of an accepted post to a 200.
	if codes[http.StatusOK] != commentsPerIP || codes[http.StatusTooManyRequests] != 30-commentsPerIP {
		t.Errorf("30 simultaneous posts: %v, want %d accepted", codes, commentsPerIP)
	}
}
