package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// private returns a client allowed to reach 127.0.0.1, for the happy paths.
func private(opts Options) *Client {
	opts.AllowPrivate = true
	return New(opts)
}

func TestGetReturnsBodyStatusFinalURLAndUserAgent(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
			return
		}
		ua = r.UserAgent()
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, "hello")
	}))
	defer srv.Close()

	resp, err := private(Options{UserAgent: "newsdesk-test/1"}).Get(context.Background(), srv.URL+"/old", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if string(resp.Body) != "hello" || resp.Status != 200 || resp.URL != srv.URL+"/new" || resp.Header.Get("ETag") != `"v1"` {
		t.Errorf("Get = %+v, want body hello, status 200, URL %s/new, ETag \"v1\"", resp, srv.URL)
	}
	if ua != "newsdesk-test/1" {
		t.Errorf("User-Agent = %q, want newsdesk-test/1", ua)
	}
}

func TestDefaultUserAgentNamesTheSite(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ua = r.UserAgent() }))
	defer srv.Close()
	if _, err := private(Options{}).Get(context.Background(), srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ua, "newsdesk") {
		t.Errorf("User-Agent = %q, want it to start with newsdesk", ua)
	}
}

func TestConditionalGetAnd304IsAResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, "body")
	}))
	defer srv.Close()
	c := private(Options{})
	resp, err := c.Get(context.Background(), srv.URL, http.Header{"If-None-Match": {`"v1"`}})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if resp.Status != http.StatusNotModified || len(resp.Body) != 0 {
		t.Errorf("conditional Get = %d %q, want 304 and no body", resp.Status, resp.Body)
	}
}

func TestErrorStatusesAreResponsesWithHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	resp, err := private(Options{}).Get(context.Background(), srv.URL, nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if resp.Status != 429 || resp.Header.Get("Retry-After") != "120" {
		t.Errorf("Get = %d Retry-After %q, want 429 and 120", resp.Status, resp.Header.Get("Retry-After"))
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzipIsAskedForAndDecoded(t *testing.T) {
	want := strings.Repeat("<item>news</item>", 1000)
	body := gzipped(t, []byte(want))
	var acceptEnc string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acceptEnc = r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(body)
	}))
	defer srv.Close()
	resp, err := private(Options{}).Get(context.Background(), srv.URL, http.Header{"Accept-Encoding": {"br"}})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if acceptEnc != "gzip" {
		t.Errorf("Accept-Encoding sent = %q, want gzip", acceptEnc)
	}
	if string(resp.Body) != want || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("Get body %d bytes, Content-Encoding %q; want the %d decoded bytes and no Content-Encoding",
			len(resp.Body), resp.Header.Get("Content-Encoding"), len(want))
	}
}

func TestBodyCap(t *testing.T) {
	const fifty = 50 << 20
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stream": // no Content-Length: the cap is found by reading
			for n := 0; n < fifty; n += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				sent.Add(int64(len(chunk)))
			}
		case "/declared": // Content-Length says it all
			w.Header().Set("Content-Length", fmt.Sprint(fifty))
			w.Write(chunk)
		}
	}))
	defer srv.Close()
	c := private(Options{})
	for _, path := range []string{"/stream", "/declared"} {
		_, err := c.Get(context.Background(), srv.URL+path, nil)
		if !errors.Is(err, ErrTooLarge) || err.Error() != "body larger than 20 MB" {
			t.Errorf("Get %s of 50 MB = %v, want \"body larger than 20 MB\"", path, err)
		}
	}
	if sent.Load() >= fifty {
		t.Errorf("server sent all %d bytes; the client should have stopped reading at the cap", sent.Load())
	}
}

func TestBodyCapCountsDecompressedBytes(t *testing.T) {
	bomb := gzipped(t, make([]byte, 2<<20)) // 2 MB of zeros, a few kB on the wire
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	defer srv.Close()
	_, err := private(Options{MaxBytes: 1 << 20}).Get(context.Background(), srv.URL, nil)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "body larger than 1 MB" {
		t.Errorf("Get of a %d-byte gzip of 2 MB with a 1 MB cap = %v, want \"body larger than 1 MB\"", len(bomb), err)
	}
}

func TestTimeouts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/trickle" {
			w.Write([]byte("<rss>"))
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done() // never finishes on its own
	}))
	defer srv.Close()
	c := private(Options{Timeout: 200 * time.Millisecond})
	for _, path := range []string{"/silent", "/trickle"} {
		_, err := c.Get(context.Background(), srv.URL+path, nil)
		if !errors.Is(err, ErrTimeout) || err.Error() != "no answer within 200ms" {
			t.Errorf("Get %s = %v, want \"no answer within 200ms\"", path, err)
		}
	}
}

func TestRedirects(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case r.URL.Path == "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/hop/"):
			var n int
			fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/hop/"), &n)
			if n == 0 {
				fmt.Fprint(w, "arrived")
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
		case r.URL.Path == "/file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		}
	}))
	defer srv.Close()
	c := private(Options{})

	_, err := c.Get(context.Background(), srv.URL+"/loop", nil)
	if !errors.Is(err, ErrTooManyRedirects) || err.Error() != "too many redirects (more than 5)" {
		t.Errorf("Get of a redirect loop = %v, want \"too many redirects (more than 5)\"", err)
	}
	if n := hits.Load(); n != 6 {
		t.Errorf("a redirect loop made %d requests, want 6 (the first and 5 redirects)", n)
	}

	resp, err := c.Get(context.Background(), srv.URL+"/hop/5", nil)
	if err != nil || string(resp.Body) != "arrived" {
		t.Errorf("Get after 5 redirects = %v, %v; want arrived", resp, err)
	}
	if _, err := c.Get(context.Background(), srv.URL+"/hop/6", nil); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("Get after 6 redirects = %v, want too many redirects", err)
	}
	_, err = c.Get(context.Background(), srv.URL+"/file", nil)
	if !errors.Is(err, ErrUnsupportedScheme) || err.Error() != "refused: file:///etc/passwd is not an http or https URL" {
		t.Errorf("Get redirected to file: = %v, want it refused as not http or https", err)
	}
}

func TestSchemesOtherThanHTTPAreRefused(t *testing.T) {
	c := private(Options{})
	for _, u := range []string{"file:///etc/passwd", "ftp://example.com/feed", "gopher://example.com/"} {
		if _, err := c.Get(context.Background(), u, nil); !errors.Is(err, ErrUnsupportedScheme) {
			t.Errorf("Get(%q) = %v, want unsupported scheme", u, err)
		}
	}
	for _, u := range []string{"", "feed.xml", "http://"} {
		if _, err := c.Get(context.Background(), u, nil); err == nil || !strings.Contains(err.Error(), "not an absolute http or https URL") {
			t.Errorf("Get(%q) = %v, want not an absolute URL", u, err)
		}
	}
}

func TestNonPublicAddressesAreRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.Listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()
	c := New(Options{Timeout: 5 * time.Second})
	cases := []struct{ url, want string }{
		{srv.URL, "refused: 127.0.0.1 is a loopback address"},
		{fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port), "refused: 127.0.0.1 is a loopback address"},
		{"http://10.0.0.1/feed.xml", "refused: 10.0.0.1 is a private address"},
		{"http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local address"},
		{"http://100.64.0.1/", "refused: 100.64.0.1 is a shared (carrier-grade NAT) address"},
		{"http://[fd00::1]/", "refused: fd00::1 is a private address"},
		{"http://0.0.0.0/", "refused: 0.0.0.0 is an unspecified address"},
		{fmt.Sprintf("http://localhost:%d/", port), "refused: localhost resolves to "},
	}
	for _, tc := range cases {
		_, err := c.Get(context.Background(), tc.url, nil)
		var refused *RefusedError
		if !errors.As(err, &refused) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Get(%q) = %v, want %q", tc.url, err, tc.want)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server got %d requests, want none", hits.Load())
	}
}

// TestRedirectHopsAreCheckedAgain allows exactly one server on 127.0.0.1
// (as if it were a public host) and has it redirect to private addresses:
// each hop is refused in the dialer, and the target is never reached.
func TestRedirectHopsAreCheckedAgain(t *testing.T) {
	var innerHits atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { innerHits.Add(1) }))
	defer inner.Close()
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			fmt.Fprint(w, "public")
			return
		}
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	defer public.Close()
	allowed := netip.MustParseAddrPort(public.Listener.Addr().String())

	c := New(Options{Timeout: 5 * time.Second})
	c.permit = func(ap netip.AddrPort) bool { return ap == allowed }

	if resp, err := c.Get(context.Background(), public.URL+"/ok", nil); err != nil || string(resp.Body) != "public" {
		t.Fatalf("Get from the allowed server = %v, %v; want its body", resp, err)
	}
	cases := []struct{ to, want string }{
		{inner.URL + "/secret", "refused: 127.0.0.1 is a loopback address"},
		{"http://10.0.0.1/", "refused: 10.0.0.1 is a private address"},
		{"http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local address"},
	}
	for _, tc := range cases {
		_, err := c.Get(context.Background(), public.URL+"/go?to="+url.QueryEscape(tc.to), nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("redirect to %s = %v, want %q", tc.to, err, tc.want)
		}
	}
	if innerHits.Load() != 0 {
		t.Errorf("the private server got %d requests through a redirect, want none", innerHits.Load())
	}
}

func TestNonPublic(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1":          "a loopback address",
		"127.9.9.9":          "a loopback address",
		"::1":                "a loopback address",
		"::ffff:127.0.0.1":   "a loopback address",
		"10.1.2.3":           "a private address",
		"172.16.0.1":         "a private address",
		"192.168.1.1":        "a private address",
		"::ffff:192.168.1.1": "a private address",
		"fc00::1":            "a private address",
		"169.254.169.254":    "a link-local address",
		"fe80::1":            "a link-local address",
		"100.64.0.1":         "a shared (carrier-grade NAT) address",
		"100.127.255.254":    "a shared (carrier-grade NAT) address",
		"224.0.0.1":          "a multicast address",
		"ff02::1":            "a multicast address",
		"ff0e::1":            "a multicast address",
		"0.0.0.0":            "an unspecified address",
		"::":                 "an unspecified address",
		"255.255.255.255":    "a reserved address",
		"64:ff9b::a00:1":     "a private address (through NAT64)",
		"::a00:1":            "a reserved address",
		"93.184.215.14":      "",
		"100.128.0.1":        "",
		"2606:4700::1111":    "",
		"64:ff9b::5db8:d70e": "",
	}
	for in, want := range cases {
		if got := NonPublic(netip.MustParseAddr(in)); got != want {
			t.Errorf("NonPublic(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestCorruptGzipIsAnError(t *testing.T) {
	good := gzipped(t, bytes.Repeat([]byte("a"), 10000))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(good[:len(good)/2])
	}))
	defer srv.Close()
	_, err := private(Options{}).Get(context.Background(), srv.URL, nil)
	if err == nil || !strings.Contains(err.Error(), "cut short or corrupt") {
		t.Errorf("Get of a truncated gzip body = %v, want cut short or corrupt", err)
	}
}
