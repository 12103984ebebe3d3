package poll

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// BenchmarkPollUnchanged measures one poll of a 100-item feed whose items
// are all stored already, from a server that sends no validators (so the
// whole document is fetched, parsed and matched every time), and one poll
// answered 304.
func BenchmarkPollUnchanged(b *testing.B) {
	var items strings.Builder
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&items, `<item><title>Story %d about the harbour and the bridge</title><link>https://wire.example/%d</link><description>Paragraph one of story %d. It has a few sentences about the harbour works, the bridge and the council vote.</description><pubDate>Mon, 16 Mar 2026 10:%02d:00 GMT</pubDate></item>`, i, i, i, i%60)
	}
	doc := rss(items.String())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/etag" {
			if r.Header.Get("If-None-Match") == `"x"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"x"`)
		}
		fmt.Fprint(w, doc)
	}))
	defer srv.Close()
	for _, path := range []string{"/plain", "/etag"} {
		b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
			r := newRig(b, private, 4)
			f := r.addFeed(srv.URL+path, time.Minute)
			if _, err := r.p.FetchNow(context.Background(), f.ID); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				c, err := r.p.FetchNow(context.Background(), f.ID)
				if err != nil || c.Added+c.Updated != 0 || c.Failed {
					b.Fatalf("poll = %+v, %v", c, err)
				}
			}
		})
	}
}
