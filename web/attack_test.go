package web

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
)

// sqlishInputs are strings that break naively built SQL or FTS queries.
var sqlishInputs = []string{`'`, `"`, `' OR '1'='1`, `1; DROP TABLE stories; --`, `%`, `_`, `\`, `) OR (1=1`,
	`" OR ""="`, `' UNION SELECT password_hash FROM users --`, `NEAR(a b)`, `*`, `-`, `:`, `^`, "\x00", `%00`, `/**/`,
	`1' AND sleep(5)--`, strings.Repeat("(", 500)}

func TestSQLInjectionIsHarmless(t *testing.T) {
	ts := newTestSite(t)
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	for _, in := range sqlishInputs {
		q := url.QueryEscape(in)
		for _, p := range []string{"/search?q=" + q, "/search?q=flood&section=" + q + "&source=" + q, "/tags/" + url.PathEscape(in),
			"/sources/" + url.PathEscape(in), "/sections/" + url.PathEscape(in), "/articles/" + url.PathEscape(in), "/?page=" + q,
			"/admin/stories?q=" + q + "&status=" + q + "&section=" + q, "/admin/comments?status=" + q, "/sitemaps/" + url.PathEscape(in)} {
			resp, body := b.do("GET", p, nil)
			if resp.StatusCode >= 500 || strings.Contains(strings.ToLower(body), "sql") && strings.Contains(body, "syntax") {
				t.Errorf("GET %s = %d", p, resp.StatusCode)
			}
		}
		// Forms: every field of the login, story and comment forms.
		resp, _ := b.post("/admin/stories/new", "/admin/stories", url.Values{"title": {in}, "slug": {in}, "summary": {in}, "body": {in + " body"},
			"source": {in}, "url": {in}, "author": {in}, "dateline": {in}, "section": {in}, "tags": {in}, "status": {in}, "published_at": {in}})
		if resp.StatusCode >= 500 {
			t.Errorf("story form with %q = %d", in, resp.StatusCode)
		}
		if resp, _ := ts.browser(t).post("/admin/login", "/admin/login", url.Values{"email": {in}, "password": {in}}); resp.StatusCode >= 500 {
			t.Errorf("login with %q = %d", in, resp.StatusCode)
		}
	}
	// The data is all still there.
	if n, err := ts.db.StoryCount(t.Context()); err != nil || n != 7 {
		t.Errorf("stories after the attack: %d, %v", n, err)
	}
}

func TestPathTraversal(t *testing.T) {
	base, _, _ := liveSite(t)
	for _, p := range []string{"/static/../go.mod", "/static/%2e%2e/%2e%2e/go.mod", "/static/..%2fgo.mod", "/static/..%5cgo.mod",
		"/static/%252e%252e/go.mod", "/static/css/../../static/static.go", "/static/.%2e/web/server.go", "/static//etc/passwd",
		"/static/css", "/static/", "/static/css/site.css"} {
		status, body := rawGet(t, base, p)
		if status == 200 || strings.Contains(body, "module newsdesk") || strings.Contains(body, "package ") {
			t.Errorf("GET %s = %d", p, status)
		}
	}
	for _, p := range []string{"/admin%2fstories", "/admin/%2e%2e/admin/stories", "/ADMIN/stories", "/admin//stories", "/admin/./stories",
		"/%61dmin/stories", "/admin/stories%00", "/admin/stories/"} {
		status, body := rawGet(t, base, p)
		if status == 200 && strings.Contains(body, "Move to trash") || status == 200 && strings.Contains(body, "<table") {
			t.Errorf("GET %s = %d bypassed login", p, status)
		}
	}
}

// rawGet sends path exactly as written, with no client-side cleaning.
func rawGet(t *testing.T, base, path string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestLimits(t *testing.T) {
	base, _, _ := liveSite(t)
	host := strings.TrimPrefix(base, "http://")
	// A 128 kB header.
	req, _ := http.NewRequest("GET", base+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 128<<10))
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("128 kB header = %d, want 431", resp.StatusCode)
	}
	// Oversized bodies on the comment and newsroom routes; the story
	// editor's saves carry pictures and may be up to 30 MiB.
	for p, size := range map[string]int{"/articles/x/comments": 2 << 20, "/admin/login": 2 << 20, "/admin/stories": 31 << 20} {
		resp, err := httpClient.Post(base+p, "application/x-www-form-urlencoded", strings.NewReader("body="+strings.Repeat("x", size)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with %d MiB = %d, want 413", p, size>>20, resp.StatusCode)
		}
	}
	// A client that never finishes its headers is cut off, and others
	// are served meanwhile.
	slow, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
	if resp, err := httpClient.Get(base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz while a slow client waits: %v", err)
	} else {
		resp.Body.Close()
	}
	slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	io.Copy(io.Discard, slow) // returns when the server closes the connection
	if waited := time.Since(start); waited > 8*time.Second {
		t.Errorf("slow client held on for %v", waited)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestSite(t)
	for _, p := range []string{"/", "/articles/" + floodSlug, "/nope", "/admin/login", "/feed.xml"} {
		resp, _ := ts.get(t, p)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP allows unsafe-inline", p)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("GET %s: %s = %q", p, h, got)
			}
		}
		if resp.Header.Get("Permissions-Policy") == "" {
			t.Errorf("GET %s: no Permissions-Policy", p)
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("GET %s: HSTS over plain HTTP", p)
		}
	}
}

func TestPanicBecomes500Page(t *testing.T) {
	ts := newTestSite(t)
	ts.srv.e.GET("/boom", func(c echo.Context) error { panic("kaboom") })
	resp, body := ts.get(t, "/boom")
	if resp.StatusCode != 500 || !strings.Contains(body, "Request ID") || strings.Contains(body, "kaboom") {
		t.Errorf("panic = %d, body %.200q", resp.StatusCode, body)
	}
	if resp, _ := ts.get(t, "/healthz"); resp.StatusCode != 200 {
		t.Error("server not serving after a panic")
	}
}
