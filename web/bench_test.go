package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"newsdesk/internal/corpus"
	"newsdesk/internal/ingest"
	"newsdesk/internal/media"
	"newsdesk/internal/news"
	"newsdesk/internal/sqlite"
)

// benchSite is the 10k-story database the page benchmarks share, built
// once per process from the synthetic corpus (which ends at the test
// clock, so every story is visible), with its article slugs.
var benchSite struct {
	once  sync.Once
	db    *sqlite.DB
	slugs []string
	err   error
}

const benchStories = 10_000

func benchDB(b *testing.B) *sqlite.DB {
	b.Helper()
	s := &benchSite
	s.once.Do(func() {
		ctx := context.Background()
		var buf bytes.Buffer
		if s.err = corpus.WriteNDJSON(&buf, benchStories, 1, now); s.err != nil {
			return
		}
		dir, err := benchTempDir()
		if err != nil {
			s.err = err
			return
		}
		start := time.Now()
		db, err := sqlite.Open(ctx, filepath.Join(dir, "web.db"))
		if err != nil {
			s.err = err
			return
		}
		db.Now = func() time.Time { return now }
		if rep, err := ingest.Import(ctx, deskOf(db), &buf, ""); err != nil || rep.Added != benchStories {
			s.err = fmt.Errorf("import = %v, %v; want %d added", rep, err, benchStories)
			return
		}
		list, _, err := db.Stories(ctx, news.StoryFilter{Page: news.Page{Number: 1, Size: benchStories}})
		if err != nil {
			s.err = err
			return
		}
		for _, st := range list {
			s.slugs = append(s.slugs, st.Slug)
		}
		s.db = db
		b.Logf("built a %d-story database in %v", len(list), time.Since(start).Round(time.Millisecond))
		runtime.GC() // collect the import's garbage now, not while timing
	})
	if s.err != nil {
		b.Fatal(s.err)
	}
	return s.db
}

// benchTempDir makes a directory for this process's shared database and
// removes those that processes no longer running left behind: nothing
// else ends when the last benchmark does.
func benchTempDir() (string, error) {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "newsdesk-webbench-*"))
	for _, d := range old {
		pid, err := strconv.Atoi(strings.Split(filepath.Base(d), "-")[2])
		if err != nil {
			continue
		}
		if p, err := os.FindProcess(pid); err != nil || p.Signal(syscall.Signal(0)) != nil {
			os.RemoveAll(d)
		}
	}
	return os.MkdirTemp("", fmt.Sprintf("newsdesk-webbench-%d-", os.Getpid()))
}

// benchServer is the real server over the shared database, logging
// nowhere; cacheBytes 0 turns the page cache off.
func benchServer(b *testing.B, cacheBytes int) *Server {
	b.Helper()
	db := benchDB(b)
	srv, err := New(Config{BaseURL: "https://news.example", Now: db.Now, PageCacheBytes: cacheBytes,
		Logger: slog.New(slog.DiscardHandler)}, storeOf(db))
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// serveBench serves GET path(i) through srv in process for each iteration.
func serveBench(b *testing.B, srv *Server, path func(i int) string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	size, i := 0, 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path(i), nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s = %d", path(i), rec.Code)
		}
		size += rec.Body.Len()
		i++
	}
	b.ReportMetric(float64(size)/float64(i), "B/page")
}

// BenchmarkArticlePage renders article pages of varied stories: the full
// work (store reads and templ render) with the page cache off, and, with
// it on, the repeat views of 100 popular articles.
func BenchmarkArticlePage(b *testing.B) {
	b.Run("cache=off", func(b *testing.B) {
		srv := benchServer(b, 0)
		slugs := benchSite.slugs
		serveBench(b, srv, func(i int) string { return "/articles/" + slugs[i*7919%len(slugs)] })
	})
	b.Run("cache=on/hot=100", func(b *testing.B) {
		srv := benchServer(b, DefaultPageCacheBytes)
		slugs := benchSite.slugs[:100]
		serveBench(b, srv, func(i int) string { return "/articles/" + slugs[i%len(slugs)] })
	})
}

// BenchmarkFrontPage renders the front page, with the page cache off.
func BenchmarkFrontPage(b *testing.B) {
	srv := benchServer(b, 0)
	serveBench(b, srv, func(int) string { return "/" })
}

// BenchmarkGzipLevels compresses an article page at several levels and
// reports the compressed size: the basis of gzipLevel.
func BenchmarkGzipLevels(b *testing.B) {
	srv := benchServer(b, 0)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/articles/"+benchSite.slugs[0], nil))
	page := rec.Body.Bytes()
	for _, level := range []int{1, 6, 9} {
		b.Run(fmt.Sprintf("level=%d", level), func(b *testing.B) {
			var out bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&out, level)
			for b.Loop() {
				out.Reset()
				zw.Reset(&out) // as the cache does: a new writer costs more than the page
				zw.Write(page)
				zw.Close()
			}
			b.ReportMetric(float64(out.Len()), "B/gz")
			b.ReportMetric(float64(len(page)), "B/page")
		})
	}
}

// BenchmarkArticleImage renders the same article with and without a lead
// picture, warm (from the page cache) and cold (cache off): the picture
// adds a figure, srcset and head tags, never work per request.
func BenchmarkArticleImage(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "img.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return now }
	var buf bytes.Buffer
	if err := corpus.WriteNDJSON(&buf, 200, 1, now); err != nil {
		b.Fatal(err)
	}
	if _, err := ingest.Import(ctx, deskOf(db), &buf, ""); err != nil {
		b.Fatal(err)
	}
	pics := &media.Pictures{Store: db}
	im, err := pics.Save(ctx, testJPEG(b, 2400, 1600))
	if err != nil {
		b.Fatal(err)
	}
	list, _, err := db.Stories(ctx, news.StoryFilter{Page: news.Page{Number: 1, Size: 2}})
	if err != nil || len(list) < 2 {
		b.Fatal(err)
	}
	// The first story gets the picture; the second stays without.
	with, without := list[0].Slug, list[1].Slug
	st, err := db.StoryByID(ctx, list[0].ID)
	if err != nil {
		b.Fatal(err)
	}
	st.Image, st.ImageAlt, st.ImageCaption, st.ImageCredit = im, "A picture", "A caption.", "Photo: Bench"
	if err := deskOf(db).UpdateStory(ctx, st, st.Revision, 0); err != nil {
		b.Fatal(err)
	}
	for _, cache := range []int{DefaultPageCacheBytes, 0} {
		srv, err := New(Config{BaseURL: "https://news.example", Now: db.Now, PageCacheBytes: cache,
			Logger: slog.New(slog.DiscardHandler)}, storeOf(db))
		if err != nil {
			b.Fatal(err)
		}
		name := "warm"
		if cache == 0 {
			name = "cache=off"
		}
		b.Run(name+"/image=no", func(b *testing.B) {
			serveBench(b, srv, func(int) string { return "/articles/" + without })
		})
		b.Run(name+"/image=yes", func(b *testing.B) {
			serveBench(b, srv, func(int) string { return "/articles/" + with })
		})
	}
}

// storedServer is the real server, render cache off, over the existing
// database named by NEWSDESK_BENCH_DB (make bench passes its 100k-story
// one); the benchmark is skipped without it.
func storedServer(b *testing.B) (*sqlite.DB, *Server) {
	b.Helper()
	path := os.Getenv("NEWSDESK_BENCH_DB")
	if path == "" {
		b.Skip("NEWSDESK_BENCH_DB names no database")
	}
	db, err := sqlite.OpenExisting(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	srv, err := New(Config{BaseURL: "https://news.example", Logger: slog.New(slog.DiscardHandler)}, storeOf(db))
	if err != nil {
		b.Fatal(err)
	}
	return db, srv
}

// BenchmarkSearchPageStored serves search pages over the stored database
// (storedServer): the whole request in process, store reads, snippets and
// render, for a word in about 45 % of the synthetic stories, a name in
// under 1 % and a word in none; or for the words of
// NEWSDESK_BENCH_QUERIES, for a database of another corpus.
func BenchmarkSearchPageStored(b *testing.B) {
	_, srv := storedServer(b)
	queries := []string{"government", "jodorn", "zarout", "zzyzx"}
	if q := os.Getenv("NEWSDESK_BENCH_QUERIES"); q != "" {
		queries = strings.Fields(q)
	}
	for _, q := range queries {
		b.Run(q, func(b *testing.B) {
			serveBench(b, srv, func(int) string { return "/search?q=" + q })
		})
	}
}

// BenchmarkPagesStored serves the front page and article pages over the
// stored database (storedServer): the uncached cost at 100k stories.
func BenchmarkPagesStored(b *testing.B) {
	db, srv := storedServer(b)
	list, _, err := db.Stories(context.Background(), news.StoryFilter{Page: news.Page{Number: 1, Size: 1000}})
	if err != nil || len(list) == 0 {
		b.Fatalf("stories: %d, %v", len(list), err)
	}
	b.Run("front", func(b *testing.B) {
		serveBench(b, srv, func(int) string { return "/" })
	})
	b.Run("article", func(b *testing.B) {
		serveBench(b, srv, func(i int) string { return "/articles/" + list[i*7919%len(list)].Slug })
	})
}

// sinkWriter is the part of net/http's ResponseWriter a cache hit uses: a
// fresh header map per request, as net/http makes one, cloned when the
// header is written (as net/http snapshots it), and the body thrown away.
type sinkWriter struct {
	h    http.Header
	sent http.Header
	n    int
}

func (w *sinkWriter) Header() http.Header { return w.h }
func (w *sinkWriter) WriteHeader(int) {
	if w.sent == nil {
		w.sent = w.h.Clone()
	}
}
func (w *sinkWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(b)
	return len(b), nil
}

// BenchmarkCacheHit serves one article from the render cache through the
// server's ServeHTTP, logging JSON lines to nowhere (cmd/newsdesk logs
// JSON), plain, gzipped and as a 304; "bare" is a handler that only
// writes the same bytes with two headers, the floor a hit is measured
// against (scripts/bench.sh does the same over HTTP).
func BenchmarkCacheHit(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "hit.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return now }
	var buf bytes.Buffer
	if err := corpus.WriteNDJSON(&buf, 50, 1, now); err != nil {
		b.Fatal(err)
	}
	if _, err := ingest.Import(ctx, deskOf(db), &buf, ""); err != nil {
		b.Fatal(err)
	}
	list, _, err := db.Stories(ctx, news.StoryFilter{Page: news.Page{Number: 1, Size: 1}})
	if err != nil || len(list) == 0 {
		b.Fatal(err)
	}
	path := "/articles/" + list[0].Slug
	srv, err := New(Config{BaseURL: "https://news.example", Now: db.Now, PageCacheBytes: DefaultPageCacheBytes,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}, storeOf(db))
	if err != nil {
		b.Fatal(err)
	}
	first := httptest.NewRecorder()
	srv.ServeHTTP(first, httptest.NewRequest(http.MethodGet, path, nil))
	page, etag := first.Body.Bytes(), first.Header().Get("ETag")
	run := func(b *testing.B, h http.Handler, header http.Header, status int) {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.RemoteAddr = "127.0.0.1:50000"
		r.Header = header
		b.ReportAllocs()
		for b.Loop() {
			w := &sinkWriter{h: http.Header{}}
			h.ServeHTTP(w, r)
			if status == http.StatusOK && w.n == 0 {
				b.Fatal("no body")
			}
		}
	}
	b.Run("plain", func(b *testing.B) { run(b, srv, http.Header{}, http.StatusOK) })
	b.Run("gzip", func(b *testing.B) {
		run(b, srv, http.Header{"Accept-Encoding": {"gzip, deflate, br"}}, http.StatusOK)
	})
	b.Run("304", func(b *testing.B) {
		run(b, srv, http.Header{"If-None-Match": {etag}}, http.StatusNotModified)
	})
	b.Run("bare", func(b *testing.B) {
		n := strconv.Itoa(len(page))
		run(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Length", n)
			w.Write(page)
		}), http.Header{}, http.StatusOK)
	})
}
