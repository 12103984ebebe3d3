package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"newsdesk/internal/news"
)

// rawClient sends exactly the headers a test sets: no Accept-Encoding of
// its own, no transparent decompression.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: httpClient.Timeout}

// dropCachedPages empties the render cache, as a write touching every
// page would: the next request for any page is rendered.
func dropCachedPages(srv *Server) {
	v := srv.cache.seen.Load()
	srv.cache.apply(v, news.Changes{Version: v, All: true})
}

// TestCacheHitHeadersEqualRouted: a cache hit answers with exactly the
// header lines, values included, of the rendered answer to the same
// request, for plain and gzip clients, conditional requests, HEAD and
// HTTPS behind a trusted proxy; only Date and X-Request-ID differ, and
// both answers have an id of their own. The values a hit shares with
// every other answer are still intact at the end.
func TestCacheHitHeadersEqualRouted(t *testing.T) {
	ts := newTestSite(t)
	ts.srv.cfg.TrustProxy = true // X-Forwarded-Proto: https asks for HSTS
	paths := []string{"/articles/" + floodSlug, "/", "/feed.xml", "/search?q=flood", "/tags/flood", "/robots.txt"}
	type variant struct {
		name   string
		method string
		header http.Header
	}
	for _, path := range paths {
		_, plain := ts.get(t, path)
		first, err := rawClient.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		first.Body.Close()
		tag := first.Header.Get("ETag")
		for _, v := range []variant{
			{"plain", http.MethodGet, http.Header{}},
			{"gzip", http.MethodGet, http.Header{"Accept-Encoding": {"gzip, deflate, br"}}},
			{"gzip refused", http.MethodGet, http.Header{"Accept-Encoding": {"gzip;q=0, br"}}},
			{"If-None-Match", http.MethodGet, http.Header{"If-None-Match": {tag}}},
			{"If-None-Match, other", http.MethodGet, http.Header{"If-None-Match": {`"other"`}}},
			{"HEAD", http.MethodHead, http.Header{}},
			{"HEAD gzip", http.MethodHead, http.Header{"Accept-Encoding": {"gzip"}}},
			{"https", http.MethodGet, http.Header{"X-Forwarded-Proto": {"https"}}},
		} {
			dropCachedPages(ts.srv)
			do := func() (*http.Response, []byte) {
				req, _ := http.NewRequest(v.method, ts.URL+path, nil)
				req.Header = v.header.Clone()
				resp, err := rawClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				return resp, body
			}
			before := ts.srv.CacheStats()
			miss, missBody := do()
			mid := ts.srv.CacheStats()
			hit, hitBody := do()
			after := ts.srv.CacheStats()
			if mid.Hits != before.Hits || after.Hits != mid.Hits+1 {
				t.Fatalf("%s %s: hits %d → %d → %d, want a miss then a hit", path, v.name, before.Hits, mid.Hits, after.Hits)
			}
			if miss.StatusCode != hit.StatusCode || string(missBody) != string(hitBody) {
				t.Errorf("%s %s: routed %d (%d B), cached %d (%d B)", path, v.name,
					miss.StatusCode, len(missBody), hit.StatusCode, len(hitBody))
			}
			if got, want := headerLines(hit.Header), headerLines(miss.Header); got != want {
				t.Errorf("%s %s: cached headers\n%s\nrouted\n%s", path, v.name, got, want)
			}
			for _, r := range []*http.Response{miss, hit} {
				if r.Header.Get("X-Request-ID") == "" || len(r.Header.Values("X-Request-ID")) != 1 {
					t.Errorf("%s %s: X-Request-ID %q", path, v.name, r.Header.Values("X-Request-ID"))
				}
				if got := r.Header.Values("Vary"); !slices.Equal(got, []string{"Accept-Encoding"}) {
					t.Errorf("%s %s: Vary %q, want Accept-Encoding once", path, v.name, got)
				}
				hsts := r.Header.Get("Strict-Transport-Security")
				if (v.name == "https") != (hsts != "") {
					t.Errorf("%s %s: Strict-Transport-Security %q", path, v.name, hsts)
				}
			}
			if miss.Header.Get("X-Request-ID") == hit.Header.Get("X-Request-ID") {
				t.Errorf("%s %s: two answers with one request id", path, v.name)
			}
			switch v.name {
			case "If-None-Match":
				if hit.StatusCode != http.StatusNotModified {
					t.Errorf("%s %s: %d, want 304", path, v.name, hit.StatusCode)
				}
			case "HEAD", "HEAD gzip":
				if hit.StatusCode != http.StatusOK || len(hitBody) != 0 || hit.ContentLength <= 0 {
					t.Errorf("%s %s: %d, body %d B, Content-Length %d; want 200, no body, the GET's length",
						path, v.name, hit.StatusCode, len(hitBody), hit.ContentLength)
				}
			case "gzip":
				if len(plain) > 512 && hit.Header.Get("Content-Encoding") != "gzip" {
					t.Errorf("%s %s: Content-Encoding %q", path, v.name, hit.Header.Get("Content-Encoding"))
				}
			case "plain", "gzip refused", "https", "If-None-Match, other":
				if hit.Header.Get("Content-Encoding") != "" || string(hitBody) != plain {
					t.Errorf("%s %s: Content-Encoding %q, body differs from the page: %v", path, v.name,
						hit.Header.Get("Content-Encoding"), string(hitBody) != plain)
				}
			}
		}
	}

	// Every answer above set the shared lines into its own header map:
	// none may have changed them for the next one.
	resp, _ := ts.get(t, paths[0])
	for _, f := range append(slices.Clone(securityHeaders), hsts...) {
		if len(f.value) != 1 || cap(f.value) != 1 {
			t.Errorf("shared %s value changed: %q", f.key, f.value)
		}
	}
	if got := resp.Header.Get("Content-Security-Policy"); got != contentSecurityPolicy {
		t.Errorf("Content-Security-Policy = %q", got)
	}
}

// headerLines is h as sorted "Name: value" lines, without Date and
// X-Request-ID, which differ from one answer to the next.
func headerLines(h http.Header) string {
	var out []string
	for k, vs := range h {
		if k == "Date" || k == "X-Request-Id" {
			continue
		}
		for _, v := range vs {
			out = append(out, k+": "+v)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestCacheHitLogLine: a cache hit writes the same access log line as a
// rendered page (the same fields, its own request id, the bytes sent), and
// nothing else.
func TestCacheHitLogLine(t *testing.T) {
	ts := newTestSite(t)
	var logs syncBuffer
	site := siteOver(t, ts, nil, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	path := "/articles/" + floodSlug
	var ids []string
	for range 2 { // rendered, then from the cache
		req, _ := http.NewRequest(http.MethodGet, site.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := rawClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ids = append(ids, resp.Header.Get("X-Request-ID"))
		if len(body) == 0 {
			t.Fatal("empty body")
		}
	}
	if hits := site.srv.CacheStats().Hits; hits != 1 {
		t.Fatalf("cache hits = %d, want 1", hits)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log has %d lines, want 2:\n%s", len(lines), logs.String())
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		got = append(got, m)
	}
	keys := func(m map[string]any) string {
		var k []string
		for name := range m {
			k = append(k, name)
		}
		slices.Sort(k)
		return strings.Join(k, " ")
	}
	if want := "bytes ip latency level method msg path request_id status time"; keys(got[0]) != want || keys(got[1]) != want {
		t.Errorf("log fields: routed %q, cached %q; want %q", keys(got[0]), keys(got[1]), want)
	}
	for i, m := range got {
		if m["msg"] != "request" || m["level"] != "INFO" || m["method"] != "GET" || m["path"] != path ||
			m["status"] != float64(200) || m["request_id"] != ids[i] || m["ip"] != "127.0.0.1" {
			t.Errorf("log line %d = %v", i, m)
		}
	}
	if got[0]["bytes"] != got[1]["bytes"] || got[1]["bytes"].(float64) <= 0 {
		t.Errorf("bytes: routed %v, cached %v", got[0]["bytes"], got[1]["bytes"])
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip, br", true},
		{" gzip ; q=0.5 ", true},
		{"gzip;q=1", true},
		{"gzip;q=0.001", true},
		{"br, gzip;q=0", false},
		{"gzip; q = 0", false},
		{"gzip;Q=0", false},
		{"gzip;q=0.0", false},
		{"gzip;q=0.000", false},
		{"gzip;q=0.", false},
		{"gzip;q=0.010", true},
		{"x-gzip", false},
		{"gzipx", false},
		{"*", false},
		{"deflate", false},
		{",,gzip,,", true},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if tt.header != "" {
			r.Header.Set("Accept-Encoding", tt.header)
		}
		if got := acceptsGzip(r); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}
