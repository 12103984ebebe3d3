package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const testRSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Local Wire</title>
<item><title>Harbour reopens after storm</title><link>https://lw.example/harbour</link><description>The harbour reopened on Monday.</description><pubDate>Sun, 15 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Bridge works start</title><link>/bridge</link><description>Works on the old bridge began.</description><pubDate>Sun, 15 Mar 2026 11:00:00 GMT</pubDate></item>
</channel></rss>`

// import URL goes through the guarded fetcher: a feed on 127.0.0.1 imports
// only with --allow-private-fetch, and relative links resolve against it.
func TestImportURLUsesTheGuardedFetcher(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, testRSS)
		case "/moved":
			http.Redirect(w, r, "/feed.xml", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "i.db")

	code, out, err := runCmd(t, "", "import", "--db", db, srv.URL+"/feed.xml")
	if code != 1 || err == nil || !strings.Contains(err.Error(), "refused: 127.0.0.1 is a loopback address") {
		t.Errorf("import of a loopback URL without the flag = %d, %v, %q; want refused", code, err, out)
	}
	if hits.Load() != 0 {
		t.Errorf("the server got %d requests without the flag, want none", hits.Load())
	}

	code, out, err = runCmd(t, "", "import", "--db", db, "--allow-private-fetch", srv.URL+"/moved")
	if code != 0 || err != nil || !strings.Contains(out, "added 2, updated 0, duplicates 0, rejected 0") {
		t.Fatalf("import with the flag = %d, %v, %q", code, err, out)
	}

	t.Setenv("NEWSDESK_ALLOW_PRIVATE_FETCH", "1")
	code, out, err = runCmd(t, "", "import", "--db", db, srv.URL+"/feed.xml")
	if code != 0 || err != nil || !strings.Contains(out, "added 0, updated 0, duplicates 2, rejected 0") {
		t.Errorf("re-import with NEWSDESK_ALLOW_PRIVATE_FETCH=1 = %d, %v, %q", code, err, out)
	}
	code, _, err = runCmd(t, "", "import", "--db", db, srv.URL+"/missing.xml")
	if code != 1 || err == nil || !strings.Contains(err.Error(), "the server answered 404 Not Found") {
		t.Errorf("import of a 404 = %d, %v; want the status in the error", code, err)
	}
}
