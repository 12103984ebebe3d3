package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk/internal/sqlite"
)

// startServe runs `newsdesk serve` in-process on 127.0.0.1:0 and returns
// its base URL; the server stops when the test ends.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		_, err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--no-demo"}, args...), strings.NewReader(""), io.Discard, logs)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30s of the signal")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(logs.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving" {
				return "http://" + rec.Addr
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("serve did not start:\n%s", logs.String())
	return ""
}

// getPage returns the body of a page of the running server.
func getPage(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitForPage polls url until its body contains want, for at most within.
func waitForPage(t *testing.T, url, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if strings.Contains(getPage(t, url), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not show %q within %s", url, want, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// End to end: serve polls a feed subscribed from the shell; its stories
// appear within two intervals, and a story added upstream later too.
func TestServePollsFeeds(t *testing.T) {
	var third atomic.Bool
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		items := `<item><title>Harbour reopens after storm</title><link>https://lw.example/harbour</link><description>The harbour reopened on Monday after a week of repairs.</description><pubDate>Sun, 15 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Bridge works start in the old town</title><link>https://lw.example/bridge</link><description>Works on the old bridge began this morning.</description><pubDate>Sun, 15 Mar 2026 11:00:00 GMT</pubDate></item>`
		if third.Load() {
			items += `<item><title>Ferry timetable changes for spring</title><link>https://lw.example/ferry</link><description>The spring timetable adds two crossings.</description><pubDate>Sun, 15 Mar 2026 12:00:00 GMT</pubDate></item>`
		}
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Local Wire</title>%s</channel></rss>`, items)
	}))
	defer feed.Close()
	db := filepath.Join(t.TempDir(), "serve.db")
	createDB(t, db)
	const every = 10 * time.Second
	if code, out, err := runCmd(t, "", "feeds", "add", "--db", db, "--source", "Local Wire", "--every", every.String(), "--allow-private-fetch", feed.URL); code != 0 {
		t.Fatalf("feeds add = %d, %v, %s", code, err, out)
	}
	if code, out, err := runCmd(t, "a long enough password\n", "user", "add", "--db", db, "--email", "ed@example.com", "--name", "Ed", "--role", "editor"); code != 0 {
		t.Fatalf("user add = %d, %v, %s", code, err, out)
	}
	base := startServe(t, "--db", db, "--allow-private-fetch")

	waitForPage(t, base+"/sources/local-wire", "Harbour reopens after storm", 2*every)
	waitForPage(t, base+"/sources/local-wire", "Bridge works start in the old town", time.Second)
	third.Store(true)
	waitForPage(t, base+"/sources/local-wire", "Ferry timetable changes for spring", 2*every+2*time.Second)

	// The newsroom's sources page shows how the feed is doing.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	page := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page(client.Get(base + "/admin/login")))
	if token == nil {
		t.Fatal("no CSRF token on the login page")
	}
	page(client.PostForm(base+"/admin/login", url.Values{"_csrf": {token[1]}, "email": {"ed@example.com"}, "password": {"a long enough password"}}))
	admin := page(client.Get(base + "/admin/sources"))
	row := regexp.MustCompile(`(?s)<tr id="feed-1">.*?</tr>`).FindString(admin)
	for _, want := range []string{feed.URL, "10s", "HTTP 200: OK", "<td>3</td>", "<time datetime="} {
		if !strings.Contains(row, want) {
			t.Errorf("the admin's row for the feed lacks %q:\n%s", want, row)
		}
	}
}

// createDB makes an empty database at path, as a first serve would.
func createDB(t *testing.T, path string) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}
