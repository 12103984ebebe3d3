package web

// Regression tests for the findings of the attacker's review (issue 14):
// each one failed before its fix.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"newsdesk/internal/auth"
	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
	"newsdesk/internal/sqlite"
)

// addHiddenStories stores an embargoed story (published, its time still to
// come), a draft and a scheduled story, each with a tag, source and section
// of its own that no visible story carries.
func addHiddenStories(t *testing.T, ts *testSite) {
	t.Helper()
	ctx := context.Background()
	line := `{"title": "Minister resigns over zephyrgate scandal", "body": "The zephyrgate papers show the minister knew.", ` +
		`"published_at": "` + now.Add(48*time.Hour).Format(time.RFC3339) + `", "source": "Embargo Wire", ` +
		`"url": "https://embargo.example/zephyrgate", "section": "Secrets", "tags": ["zephyrgate"]}`
	if rep, err := ingest.Import(ctx, deskOf(ts.db), strings.NewReader(line), ""); err != nil || rep.Added != 1 {
		t.Fatalf("import embargoed story: %v %v", rep, err)
	}
	for _, st := range []*news.Story{
		{Title: "Quillstorm draft not for readers", Body: "A quillstorm is coming.", Status: news.StatusDraft,
			Source: news.Source{Name: "Draft Daily"}, Section: news.Section{Name: "Drafts Desk"}, Tags: news.NewTags([]string{"quillstorm"}),
			PublishedAt: now.Add(-time.Hour)},
		{Title: "Nightjar launch scheduled for next week", Body: "The nightjar probe launches soon.", Status: news.StatusScheduled,
			Source: news.Source{Name: "Schedule Times"}, Tags: news.NewTags([]string{"nightjar"}), PublishedAt: now.Add(72 * time.Hour)},
	} {
		if err := st.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := deskOf(ts.db).CreateStory(ctx, st, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// Finding 1: search counts, results and facets follow the page rule.
func TestSearchDoesNotLeakHiddenStories(t *testing.T) {
	ts := newTestSite(t)
	addHiddenStories(t, ts)
	for _, q := range []string{"zephyr", "zephyrgate", "quillstorm", "nightjar", "minister+zephyr"} {
		doc := ts.page(t, "/search?q="+q, http.StatusOK)
		if got := strings.TrimSpace(doc.Find(".result-count").Text()); !strings.HasPrefix(got, "No stories match") {
			t.Errorf("/search?q=%s says %q", q, got)
		}
		if n := doc.Find(".search-results li").Length(); n != 0 {
			t.Errorf("/search?q=%s lists %d results", q, n)
		}
	}
	doc := ts.page(t, "/search?q=flood", http.StatusOK)
	for _, name := range []string{"Embargo Wire", "Draft Daily", "Schedule Times", "Secrets", "Drafts Desk"} {
		if strings.Contains(doc.Find("select").Text(), name) {
			t.Errorf("search filters offer %q", name)
		}
	}
	// Once its time comes the embargoed story is found and counted.
	ts.clock.Advance(49 * time.Hour)
	doc = ts.page(t, "/search?q=zephyr", http.StatusOK)
	if got := strings.TrimSpace(doc.Find(".result-count").Text()); !strings.HasPrefix(got, "1 story matches") {
		t.Errorf("after the embargo /search?q=zephyr says %q", got)
	}
	if !strings.Contains(doc.Find("select#source").Text(), "Embargo Wire") {
		t.Error("after the embargo the source filter lacks Embargo Wire")
	}
}

// Finding 5: tags, sources and sections known only from hidden stories
// are not found, and their feeds neither.
func TestHiddenStoriesDoNotLeakNames(t *testing.T) {
	ts := newTestSite(t)
	addHiddenStories(t, ts)
	hidden := []string{"/tags/zephyrgate", "/sources/embargo-wire", "/sections/secrets",
		"/tags/quillstorm", "/sources/draft-daily", "/sections/drafts-desk", "/tags/nightjar", "/sources/schedule-times"}
	for _, p := range hidden {
		for _, path := range []string{p, p + "/feed.xml"} {
			resp, body := ts.get(t, path)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
			}
			// (A tag's name is its slug, which the 404 page may repeat.)
			for _, name := range []string{"Embargo Wire", "Secrets", "Draft Daily", "Drafts Desk", "Schedule Times"} {
				if strings.Contains(body, name) {
					t.Errorf("GET %s names %q", path, name)
				}
			}
		}
	}
	_, sitemap := ts.get(t, "/sitemaps/pages.xml")
	for _, p := range hidden {
		if strings.Contains(sitemap, p+"<") {
			t.Errorf("sitemap lists %s", p)
		}
	}
	// The visible ones still answer, and the embargoed ones once their time comes.
	for _, p := range []string{"/tags/flood", "/sources/global-wire", "/sections/world"} {
		if resp, _ := ts.get(t, p); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", p, resp.StatusCode)
		}
	}
	ts.clock.Advance(49 * time.Hour)
	for _, p := range []string{"/tags/zephyrgate", "/sources/embargo-wire", "/sections/secrets"} {
		if resp, _ := ts.get(t, p); resp.StatusCode != http.StatusOK {
			t.Errorf("after the embargo GET %s = %d, want 200", p, resp.StatusCode)
		}
	}
}

// raceStore runs hook right after a request has loaded its user from the
// session: whatever hook changes lands between the load and the write.
type raceStore struct {
	Store
	hook func()
}

func (r *raceStore) SessionUser(ctx context.Context, token string) (*news.User, error) {
	u, err := r.Store.SessionUser(ctx, token)
	if hook := r.hook; err == nil && hook != nil {
		r.hook = nil
		hook()
	}
	return u, err
}

// Finding 4: a password change does not write back a role or disabled flag
// it loaded before an administrator changed them.
func TestPasswordChangeKeepsConcurrentDisable(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "boss@example.com", news.RoleAdmin)
	addUser(t, ts, "ann@example.com", news.RoleAdmin)
	rs := &raceStore{Store: storeOf(ts.db)}
	site := siteOver(t, ts, rs, nil)
	boss, ann := site.browser(t), site.browser(t)
	boss.login("boss@example.com")
	ann.login("ann@example.com")
	victim, err := ts.db.UserByEmail(context.Background(), "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	bossToken := boss.token("/admin/users")
	form := url.Values{"current": {"password-ann@example.com"}, "password": {"a new passphrase"}, "_csrf": {ann.token("/admin/account")}}
	// While Ann's request runs, the boss demotes and disables her.
	rs.hook = func() {
		resp, _ := boss.do("POST", "/admin/users/"+strconv.FormatInt(victim.ID, 10), url.Values{"role": {"editor"}, "disabled": {"1"}, "_csrf": {bossToken}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("disable Ann = %d", resp.StatusCode)
		}
	}
	ann.do("POST", "/admin/account", form)
	if rs.hook != nil {
		t.Fatal("the race did not run")
	}
	u, err := ts.db.User(context.Background(), victim.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Disabled || u.Role != news.RoleEditor {
		t.Errorf("after the race Ann is disabled=%v role=%s, want disabled editor", u.Disabled, u.Role)
	}
	if resp, _ := ann.do("GET", "/admin/stories", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled Ann still has a session: %d", resp.StatusCode)
	}
}

// Finding 7: guessing the current password on the account page counts
// against the account like failed logins.
func TestAccountPasswordCheckIsLimited(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	for i := range accountFailures {
		resp, _ := b.post("/admin/account", "/admin/account", url.Values{"current": {fmt.Sprintf("guess %d", i)}, "password": {"stolen session pw"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d = %d, want 422", i, resp.StatusCode)
		}
	}
	// Even the right password is refused now, and logging in is paused too.
	resp, body := b.post("/admin/account", "/admin/account", url.Values{"current": {"password-ed@example.com"}, "password": {"stolen session pw"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "paused") {
		t.Errorf("after %d wrong guesses = %d, want 429", accountFailures, resp.StatusCode)
	}
	if resp, _ := ts.browser(t).post("/admin/login", "/admin/login", url.Values{"email": {"ed@example.com"}, "password": {"password-ed@example.com"}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("login after the guesses = %d, want 429", resp.StatusCode)
	}
	u, _ := ts.db.UserByEmail(context.Background(), "ed@example.com")
	if ok, _ := auth.CheckPassword(u.PasswordHash, "password-ed@example.com"); !ok {
		t.Error("the password was changed")
	}
	// After the window the owner can change it.
	ts.clock.Advance(failureWindow + time.Second)
	b.login("ed@example.com")
	if resp, _ := b.post("/admin/account", "/admin/account", url.Values{"current": {"password-ed@example.com"}, "password": {"a fresh passphrase"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("change after the window = %d, want 303", resp.StatusCode)
	}
}

// Finding 6: restoring an old revision keeps the story's comments closed.
func TestRestoreRevisionKeepsCommentsClosed(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	resp, _ := b.post("/admin/stories/new", "/admin/stories", storyFormValues())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	edit := strings.Split(resp.Header.Get("Location"), "?")[0]
	form := storyFormValues()
	form.Set("revision", "1")
	form.Set("title", "Harbour bridge opens to crowds")
	form.Set("comments_closed", "1")
	if resp, _ := b.post(edit, edit, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("close comments = %d", resp.StatusCode)
	}
	if resp, _ := b.post(edit+"/revisions", edit+"/revisions/1/restore", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore = %d", resp.StatusCode)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(edit, "/admin/stories/"), 10, 64)
	st, err := ts.db.StoryByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Title != "Harbour bridge opens" || !st.CommentsClosed {
		t.Errorf("after restoring revision 1: title %q, comments closed %v; want the old title and comments closed", st.Title, st.CommentsClosed)
	}
}

// Finding 10: an editor on an unknown newsroom address gets a 404, not
// "Only administrators…".
func TestUnknownAdminPathIsNotFound(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	ed := ts.browser(t)
	ed.login("ed@example.com")
	for _, p := range []string{"/admin/nope", "/admin/stories/1/nope", "/admin/users/1/nope"} {
		resp, body := ed.do("GET", p, nil)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Only administrators") {
			t.Errorf("editor GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := ed.do("GET", "/admin/users", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("editor GET /admin/users = %d, want 403", resp.StatusCode)
	}
	if resp, _ := ts.browser(t).do("GET", "/admin/nope", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous GET /admin/nope = %d, want a redirect to login", resp.StatusCode)
	}
}

// Finding 8: the database, its -wal and -shm files and its backups hold
// password hashes, session hashes and the site's secret: owner only, and a
// backup never writes over an existing file.
func TestDatabaseFilesAreOwnerOnly(t *testing.T) {
	sqliteOnly(t, "database file modes and Backup (PostgreSQL keeps no files of ours and refuses Backup)")
	live := newTestSite(t).db.(*sqlite.DB)
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	if err := live.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh.db")
	db, err := sqlite.Open(context.Background(), fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	addUserTo(t, db, "ed@example.com")
	for _, p := range []string{fresh, fresh + "-wal", fresh + "-shm", backup} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		} else if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %v, want -rw-------", filepath.Base(p), mode)
		}
	}
	// An existing file is never overwritten, even a symlink to one.
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("keep me"), 0o644)
	os.Symlink(victim, filepath.Join(dir, "link.db"))
	for _, p := range []string{backup, filepath.Join(dir, "link.db")} {
		if err := live.Backup(context.Background(), p); err == nil {
			t.Errorf("backup over existing %s succeeded", filepath.Base(p))
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Errorf("backup wrote through a symlink: %q", b)
	}
}

func addUserTo(t *testing.T, db *sqlite.DB, email string) {
	t.Helper()
	if err := db.CreateUser(context.Background(), &news.User{Email: email, Name: "Ed", Role: news.RoleEditor}, "password-"+email); err != nil {
		t.Fatal(err)
	}
}

// siteOver runs a second server over ts's database, with its config
// changed by edit and its store wrapped (nil keeps ts.db).
func siteOver(t *testing.T, ts *testSite, store Store, edit func(*Config)) *testSite {
	t.Helper()
	cfg := ts.srv.cfg
	if edit != nil {
		edit(&cfg)
	}
	if store == nil {
		store = storeOf(ts.db)
	}
	srv, err := New(cfg, store)
	if err != nil {
		t.Fatal(err)
	}
	site := &testSite{Server: httptest.NewServer(srv), db: ts.db, reopen: ts.reopen, srv: srv, clock: ts.clock}
	t.Cleanup(site.Close)
	return site
}

// Finding 10: a client's X-Request-ID is used only when it is a plain
// token; anything else is replaced, in the response and in the log.
func TestRequestIDIsValidated(t *testing.T) {
	ts := newTestSite(t)
	var logs syncBuffer
	site := siteOver(t, ts, nil, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, p := range []string{"/", "/", "/admin/login", "/nope"} { // the second "/" is a cache hit
		for _, sent := range []string{`evil" level=ERROR msg=forged`, "<script>alert(1)</script>", strings.Repeat("a", 65), "id with spaces"} {
			req, _ := http.NewRequest("GET", site.URL+p, nil)
			req.Header.Set("X-Request-ID", sent)
			resp, err := httpClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("X-Request-ID"); !hexID.MatchString(got) {
				t.Errorf("GET %s with X-Request-ID %q answered %q, want a new id", p, sent, got)
			}
		}
		req, _ := http.NewRequest("GET", site.URL+p, nil)
		req.Header.Set("X-Request-ID", "proxy-7f3a.42:1")
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("X-Request-ID"); got != "proxy-7f3a.42:1" {
			t.Errorf("GET %s: a proxy's plain id became %q", p, got)
		}
	}
	for _, bad := range []string{"evil", "script", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "spaces"} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("the log repeats a client's X-Request-ID containing %q", bad)
		}
	}
}

// Finding 10: a body over the limit sent in chunks (no Content-Length) is
// 413, as a declared one is, not a 422 with every field blank. The story
// editor's limit is 30 MiB: its saves carry pictures.
func TestChunkedBodyOverLimit(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	for _, tt := range []struct {
		path string
		size int
	}{{"/admin/stories", 31 << 20}, {"/admin/login", 2 << 20}, {"/articles/" + floodSlug + "/comments", 128 << 10}} {
		form := storyFormValues()
		form.Set("_csrf", b.token("/admin/stories/new"))
		form.Set("body", strings.Repeat("x", tt.size))
		// io.MultiReader hides the length: the client sends chunks.
		req, _ := http.NewRequest("POST", ts.URL+tt.path, io.MultiReader(strings.NewReader(form.Encode())))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin") // as a browser sends it
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if req.ContentLength != 0 && req.ContentLength != -1 {
			t.Fatalf("the request declared its length %d", req.ContentLength)
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked %d kB to %s = %d, want 413", tt.size>>10, tt.path, resp.StatusCode)
		}
	}
	if n, _ := ts.db.StoryCount(context.Background()); n != 7 {
		t.Errorf("%d stories after the attempts, want 7", n)
	}
}

// Finding 10: under HTTPS the CSRF cookie is Secure; the double-submit
// token is checked when the browser sends no Fetch Metadata, and a
// cross-site request is refused even with a valid token.
func TestCSRFCookieAndChecks(t *testing.T) {
	ts := newTestSite(t)
	site := siteOver(t, ts, nil, func(c *Config) { c.TrustProxy = true })
	req, _ := http.NewRequest("GET", site.URL+"/admin/login", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "newsdesk_csrf" {
			csrf = c
		}
	}
	if csrf == nil || !csrf.Secure || !csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode {
		t.Errorf("CSRF cookie under HTTPS = %+v, want Secure, HttpOnly, SameSite=Strict", csrf)
	}
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	tok := b.token("/admin/login")
	login := url.Values{"email": {"ed@example.com"}, "password": {"password-ed@example.com"}}
	for _, tt := range []struct {
		name   string
		token  string
		header []string
		status int
	}{
		{"no Fetch Metadata, wrong token", "forged", nil, http.StatusForbidden},
		{"cross-site with a valid token", tok, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"same-site with a valid token", tok, []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"no Fetch Metadata, foreign Origin", tok, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"no Fetch Metadata, right token", tok, nil, http.StatusSeeOther},
		{"same-origin (token not needed)", "", []string{"Sec-Fetch-Site", "same-origin"}, http.StatusSeeOther},
	} {
		form := url.Values{"_csrf": {tt.token}}
		for k, v := range login {
			form[k] = v
		}
		if resp, _ := b.do("POST", "/admin/login", form, tt.header...); resp.StatusCode != tt.status {
			t.Errorf("%s: login = %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a server's log and a test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Finding 2: with auto-approve on, a reader whose comment was approved
// publishes at once from their own browser; anyone typing their email
// does not.
func TestAutoApproveTrustsTheBrowserNotTheEmail(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	if err := ts.db.SetCommentSettings(ctx, news.CommentSettings{Open: true, CloseAfterDays: 30, AutoApprove: true}); err != nil {
		t.Fatal(err)
	}
	post := func(b *browser, body string) string {
		t.Helper()
		form := commentForm(t, b, floodSlug, "Ann", body)
		form.Set("email", "ann@example.com")
		ts.clock.Advance(5 * time.Second)
		resp, _ := b.do("POST", "/articles/"+floodSlug+"/comments", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("comment %q = %d", body, resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	ann := ts.browser(t)
	if loc := post(ann, "My first comment."); !strings.Contains(loc, "comment=pending") {
		t.Fatalf("a first comment went to %s, want pending", loc)
	}
	queue, err := ts.db.ModerationQueue(ctx, news.CommentPending, 10)
	if err != nil || len(queue) != 1 {
		t.Fatalf("queue: %v %v", queue, err)
	}
	if err := ts.db.ModerateComments(ctx, []int64{queue[0].ID}, news.CommentApproved); err != nil {
		t.Fatal(err)
	}
	if loc := post(ann, "Ann again, from her browser."); !strings.Contains(loc, "comment=published") {
		t.Errorf("Ann's second comment went to %s, want published", loc)
	}
	// Someone else typing Ann's email waits for moderation, with no cookie
	// or with a forged one.
	if loc := post(ts.browser(t), "Impostor with Ann's email."); !strings.Contains(loc, "comment=pending") {
		t.Errorf("an impostor's comment went to %s, want pending", loc)
	}
	forger := ts.browser(t)
	u, _ := url.Parse(ts.URL + "/articles/")
	var annID string
	for _, c := range ann.c.Jar.Cookies(u) {
		if c.Name == "newsdesk_commenter" {
			annID, _, _ = strings.Cut(c.Value, ".")
		}
	}
	if annID == "" {
		t.Fatal("Ann's browser holds no commenter cookie")
	}
	forger.c.Jar.SetCookies(u, []*http.Cookie{{Name: "newsdesk_commenter", Value: annID + ".0000", Path: "/articles/"}})
	if loc := post(forger, "Forged cookie."); !strings.Contains(loc, "comment=pending") {
		t.Errorf("a forged cookie's comment went to %s, want pending", loc)
	}
}
