package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"newsdesk/internal/news"
)

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	t  *testing.T
	ts *testSite
	c  *http.Client
}

func (ts *testSite) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, ts: ts, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(method, path string, form url.Values, header ...string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.ts.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// token loads path and returns the CSRF token of its forms.
func (b *browser) token(path string) string {
	b.t.Helper()
	_, body := b.do("GET", path, nil)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("GET %s: no CSRF token", path)
	}
	return m[1]
}

// post submits form to path with a valid token taken from the page from.
func (b *browser) post(from, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", b.token(from))
	return b.do("POST", path, form)
}

func addUser(t *testing.T, ts *testSite, email, role string) {
	t.Helper()
	if err := ts.db.CreateUser(context.Background(), &news.User{Email: email, Name: strings.Split(email, "@")[0], Role: role}, "password-"+email); err != nil {
		t.Fatal(err)
	}
}

func (b *browser) login(email string) {
	b.t.Helper()
	resp, body := b.post("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {"password-" + email}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login %s = %d: %s", email, resp.StatusCode, body)
	}
}

func TestLoginAndLogout(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	if resp, _ := b.do("GET", "/admin/stories", nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
		t.Fatalf("anonymous /admin/stories = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A session id planted before login is not the one after it.
	b.do("GET", "/admin/login", nil)
	b.login("ed@example.com")
	before := sessionCookie(b)
	b.login("ed@example.com")
	if after := sessionCookie(b); after == "" || after == before {
		t.Errorf("session not rotated at login: %q → %q", before, sessionCookie(b))
	}
	resp, _ := b.do("GET", "/admin/stories", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("logged-in /admin/stories = %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	old := sessionCookie(b)
	b.post("/admin/stories", "/admin/logout", nil)
	if resp, _ := b.do("GET", "/admin/stories", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout /admin/stories = %d, want a redirect to login", resp.StatusCode)
	}
	// The old session id is dead on the server, not just forgotten.
	if _, err := ts.db.SessionUser(context.Background(), old); news.ErrorCode(err) != news.EUNAUTHORIZED {
		t.Errorf("session after logout: %v", err)
	}
}

func sessionCookie(b *browser) string {
	u, _ := url.Parse(b.ts.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "newsdesk_session" {
			return c.Value
		}
	}
	return ""
}

func TestLoginLockout(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	for i := range 5 {
		resp, body := b.post("/admin/login", "/admin/login", url.Values{"email": {"ed@example.com"}, "password": {"wrong"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "do not match") {
			t.Fatalf("failure %d: status %d", i+1, resp.StatusCode)
		}
	}
	// The right password is refused now, and a spoofed X-Forwarded-For
	// does not reset anything.
	form := url.Values{"email": {"ed@example.com"}, "password": {"password-ed@example.com"}, "_csrf": {b.token("/admin/login")}}
	resp, body := b.do("POST", "/admin/login", form, "X-Forwarded-For", "10.9.8.7")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "paused") {
		t.Errorf("6th try with the right password = %d, want 429", resp.StatusCode)
	}
	// Unknown accounts get the same answer as wrong passwords.
	_, body = b.post("/admin/login", "/admin/login", url.Values{"email": {"nobody@example.com"}, "password": {"whatever1"}})
	if !strings.Contains(body, "That email and password do not match an active account.") {
		t.Error("unknown email answered differently")
	}
}

func TestSetupLinkCreatesFirstAdminOnce(t *testing.T) {
	ts := newTestSite(t)
	link := mustSetupLink(t, ts.srv)
	b := ts.browser(t)
	if resp, _ := b.do("GET", "/admin/setup?token=wrong", nil); resp.StatusCode != 404 {
		t.Errorf("wrong token = %d, want 404", resp.StatusCode)
	}
	token := strings.TrimPrefix(link, "/admin/setup?token=")
	resp, body := b.post(link, "/admin/setup", url.Values{"token": {token}, "email": {"boss@example.com"}, "name": {"Boss"}, "password": {"short"}})
	if resp.StatusCode != 422 || !strings.Contains(body, `value="boss@example.com"`) {
		t.Fatalf("short password = %d, want 422 with the email kept", resp.StatusCode)
	}
	resp, _ = b.post(link, "/admin/setup", url.Values{"token": {token}, "email": {"boss@example.com"}, "name": {"Boss"}, "password": {"long enough"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup = %d", resp.StatusCode)
	}
	if resp, _ := b.do("GET", "/admin/users", nil); resp.StatusCode != 200 {
		t.Errorf("new admin /admin/users = %d", resp.StatusCode)
	}
	if resp, _ := ts.browser(t).do("GET", link, nil); resp.StatusCode != 404 {
		t.Errorf("setup link reused = %d, want 404", resp.StatusCode)
	}
}

// routes returns every newsroom route from the router itself, so that no
// route escapes the access-control and CSRF tables.
func adminRoutes(ts *testSite) []*struct{ Method, Path string } {
	var out []*struct{ Method, Path string }
	for _, r := range ts.srv.e.Routes() {
		if strings.HasPrefix(r.Path, "/admin/") && r.Method != "echo_route_not_found" {
			p := strings.NewReplacer(":id", "1", ":rev", "1").Replace(r.Path)
			out = append(out, &struct{ Method, Path string }{r.Method, p})
		}
	}
	return out
}

var public = map[string]bool{"/admin/login": true, "/admin/setup": true}

func TestAccessControlMatrix(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	addUser(t, ts, "boss@example.com", news.RoleAdmin)
	if err := deskOf(ts.db).CreateStory(context.Background(), &news.Story{Title: "Draft one", Body: "x", Source: news.Source{Name: "N"},
		Status: news.StatusDraft, PublishedAt: now}, 0); err != nil {
		t.Fatal(err)
	}
	anon, ed, boss := ts.browser(t), ts.browser(t), ts.browser(t)
	ed.login("ed@example.com")
	boss.login("boss@example.com")
	routes := adminRoutes(ts)
	if len(routes) < 20 {
		t.Fatalf("found only %d admin routes", len(routes))
	}
	for _, r := range routes {
		if public[r.Path] {
			continue
		}
		if r.Method == "GET" {
			if resp, _ := anon.do("GET", r.Path, nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
				t.Errorf("anonymous GET %s = %d, want a redirect to login", r.Path, resp.StatusCode)
			}
		} else {
			// Valid token, no session: refused.
			if resp, _ := anon.post("/admin/login", r.Path, url.Values{}); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("anonymous %s %s = %d, want 401", r.Method, r.Path, resp.StatusCode)
			}
		}
		if strings.HasPrefix(r.Path, "/admin/users") {
			var resp *http.Response
			if r.Method == "GET" {
				resp, _ = ed.do("GET", r.Path, nil)
			} else {
				resp, _ = ed.post("/admin/stories", r.Path, url.Values{"role": {"admin"}})
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("editor %s %s = %d, want 403", r.Method, r.Path, resp.StatusCode)
			}
		}
		if r.Method != "GET" {
			for name, form := range map[string]url.Values{"missing token": {}, "wrong token": {"_csrf": {"forged"}}} {
				if resp, _ := boss.do(r.Method, r.Path, form); resp.StatusCode != http.StatusForbidden {
					t.Errorf("admin %s %s with %s = %d, want 403", r.Method, r.Path, name, resp.StatusCode)
				}
			}
			form := url.Values{"_csrf": {boss.token("/admin/stories")}}
			if resp, _ := boss.do(r.Method, r.Path, form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("admin %s %s cross-site = %d, want 403", r.Method, r.Path, resp.StatusCode)
			}
		}
	}
	// Nothing above changed the draft.
	st, err := ts.db.StoryByID(context.Background(), 8)
	if err != nil || st.Trashed || st.Revision != 1 {
		t.Errorf("draft after the attacks: %+v, %v", st, err)
	}
}

func storyFormValues() url.Values {
	return url.Values{
		"title": {"Harbour bridge opens"}, "slug": {""}, "summary": {"The new bridge opened."},
		"body": {"The harbour bridge opened on Monday.\n\nCrowds crossed on foot."}, "source": {"Newsdesk"},
		"url": {""}, "author": {"Ann"}, "dateline": {"OSLO"}, "section": {"World"}, "tags": {"bridge, harbour"},
		"image_url": {""}, "image_alt": {""}, "published_at": {"2026-03-16T11:30"}, "status": {"published"},
	}
}

func TestStoryFormKeepsInputOnErrors(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	tests := []struct {
		name, field, value string
	}{
		{"empty title", "title", ""},
		{"duplicate slug", "slug", floodSlug},
		{"bad url", "url", "not a url"},
		{"unknown section", "section", "Astrology"},
		{"image without alt", "image_url", "https://images.example/a.jpg"},
		{"bad time", "published_at", "next tuesday"},
	}
	for _, tt := range tests {
		form := storyFormValues()
		form.Set(tt.field, tt.value)
		form.Set("body", "Body kept <b>as typed</b> & more")
		resp, body := b.post("/admin/stories/new", "/admin/stories", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.name, resp.StatusCode)
			continue
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		errField := tt.field
		if tt.field == "image_url" {
			errField = "image_alt"
		}
		if doc.Find("#"+errField+"-error").Length() == 0 {
			t.Errorf("%s: no error next to %s", tt.name, errField)
		}
		if got := doc.Find("textarea#body").Text(); got != "Body kept <b>as typed</b> & more" {
			t.Errorf("%s: body not kept: %q", tt.name, got)
		}
		if tt.field != "section" {
			if v, _ := doc.Find("input#" + tt.field).Attr("value"); v != tt.value {
				t.Errorf("%s: %s = %q, want what was typed", tt.name, tt.field, v)
			}
		}
	}
	// A body over the limit is refused before it is read: 1 MiB for
	// most forms, 30 MiB for the story editor, which carries pictures.
	form := url.Values{"comments_open": {strings.Repeat("x", 2<<20)}, "_csrf": {b.token("/admin/stories/new")}}
	if resp, _ := b.do("POST", "/admin/account", form); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB form = %d, want 413", resp.StatusCode)
	}
	form = storyFormValues()
	form.Set("body", strings.Repeat("x", 31<<20))
	form.Set("_csrf", b.token("/admin/stories/new"))
	if resp, _ := b.do("POST", "/admin/stories", form); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("31 MiB story form = %d, want 413", resp.StatusCode)
	}
}

func TestEditConflictKeepsText(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "a@example.com", news.RoleEditor)
	addUser(t, ts, "b@example.com", news.RoleEditor)
	a, b := ts.browser(t), ts.browser(t)
	a.login("a@example.com")
	b.login("b@example.com")
	resp, _ := a.post("/admin/stories/new", "/admin/stories", storyFormValues())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	edit := strings.Split(resp.Header.Get("Location"), "?")[0]
	// Both open the editor at revision 1; A saves first.
	fa, fb := storyFormValues(), storyFormValues()
	fa.Set("revision", "1")
	fb.Set("revision", "1")
	fa.Set("title", "Title by A")
	fb.Set("body", "B's careful rewrite")
	if resp, _ := a.post(edit, edit, fa); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("A's save = %d", resp.StatusCode)
	}
	resp, body := b.post(edit, edit, fb)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else saved this story") || !strings.Contains(body, "B&#39;s careful rewrite") {
		t.Errorf("B's save = %d, want 409 with B's text kept", resp.StatusCode)
	}
	// Readers see A's version at once.
	if _, page := ts.get(t, "/articles/harbour-bridge-opens"); !strings.Contains(page, "Title by A") {
		t.Error("reader page does not show the saved edit")
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	a, b := ts.browser(t), ts.browser(t)
	a.login("ed@example.com")
	b.login("ed@example.com")
	resp, body := a.post("/admin/account", "/admin/account", url.Values{"current": {"wrong"}, "password": {"new password 1"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "not your current password") {
		t.Fatalf("wrong current password = %d", resp.StatusCode)
	}
	resp, _ = a.post("/admin/account", "/admin/account", url.Values{"current": {"password-ed@example.com"}, "password": {"new password 1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password = %d", resp.StatusCode)
	}
	if resp, _ := a.do("GET", "/admin/stories", nil); resp.StatusCode != 200 {
		t.Errorf("the changing session was logged out: %d", resp.StatusCode)
	}
	if resp, _ := b.do("GET", "/admin/stories", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session survived the password change: %d", resp.StatusCode)
	}
}

func TestLoginLockoutUnderConcurrency(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	tok := b.token("/admin/login")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := b.do("POST", "/admin/login", url.Values{"email": {"ed@example.com"}, "password": {"guess"}, "_csrf": {tok}})
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[http.StatusUnauthorized] != accountFailures || codes[http.StatusTooManyRequests] != 20-accountFailures {
		t.Errorf("20 simultaneous guesses: %v, want %d checked", codes, accountFailures)
	}
}
