package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestFeedsAddListRemove(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			fmt.Fprint(w, testRSS)
		case "/page.html":
			fmt.Fprint(w, "<!doctype html><html><body>Hello</body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "f.db")
	if code, _, err := runCmd(t, "", "feeds", "list", "--db", db); code != 1 || err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("feeds list on a missing database = %d, %v; want it refused", code, err)
	}
	createDB(t, db)

	code, out, err := runCmd(t, "", "feeds", "add", "--db", db, "--source", "Local Wire", srv.URL+"/feed.xml")
	if code != 1 || err == nil || !strings.Contains(err.Error(), "refused: 127.0.0.1 is a loopback address") {
		t.Errorf("feeds add of a loopback feed without the flag = %d, %v, %q", code, err, out)
	}
	code, out, err = runCmd(t, "", "feeds", "add", "--db", db, "--source", "Local Wire", "--every", "1m", "--allow-private-fetch", srv.URL+"/feed.xml")
	if code != 0 || err != nil || !regexp.MustCompile(`^feed 1: .*/feed.xml, every 1m, found 2 items\n$`).MatchString(out) {
		t.Fatalf("feeds add = %d, %v, %q", code, err, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--source", "X", srv.URL + "/page.html"}, "the feed could not be read: not an RSS, Atom or JSON feed (root element <html>)"},
		{[]string{"--source", "X", srv.URL + "/missing.xml"}, "the server answered 404 Not Found"},
		{[]string{"--source", "X", srv.URL + "/feed.xml"}, "URL: This feed is already subscribed (feed 1)."},
		{[]string{"--source", "X", "--every", "5s", srv.URL + "/feed.xml"}, "--every: Poll at most every 10s."},
		{[]string{srv.URL + "/feed.xml"}, "--source: Name the source"},
		{[]string{"--source", "X", "ftp://example.com/feed"}, "URL: The feed address must be an absolute http or https URL."},
	} {
		args := append([]string{"feeds", "add", "--db", db, "--allow-private-fetch"}, tc.args...)
		if code, _, err := runCmd(t, "", args...); code != 1 || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("feeds add %q = %d, %v; want %q", tc.args, code, err, tc.want)
		}
	}

	code, out, err = runCmd(t, "", "feeds", "list", "--db", db)
	if code != 0 || err != nil {
		t.Fatalf("feeds list = %d, %v", code, err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !regexp.MustCompile(`^1\s+Local Wire\s+http://127\.0\.0\.1:\d+/feed\.xml\s+1m\s+never\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+0$`).MatchString(lines[1]) {
		t.Errorf("feeds list =\n%s", out)
	}

	if code, out, err := runCmd(t, "", "feeds", "remove", "--db", db, "1"); code != 0 || err != nil || out != "feed 1 removed; its stories stay\n" {
		t.Errorf("feeds remove = %d, %v, %q", code, err, out)
	}
	if code, _, err := runCmd(t, "", "feeds", "remove", "--db", db, "1"); code != 1 || err == nil || err.Error() != "Feed 1 not found." {
		t.Errorf("second feeds remove = %d, %v", code, err)
	}
	if code, out, _ := runCmd(t, "", "feeds", "list", "--db", db); code != 0 || !strings.HasPrefix(out, "no feeds") {
		t.Errorf("feeds list after remove = %d, %q", code, out)
	}
}
