package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"newsdesk/internal/tick"
)

type loader struct {
	o      *options
	client *http.Client
	st     *stats
	site   *site
	runID  string
	hard   context.Context // bounds in-flight work; outlives the load phase a little

	mu       sync.Mutex
	comments []ackComment
	urls     []string // acknowledged by import exit 0

	xffSeq atomic.Int64
	pick   *storyPicker
}

type ackComment struct{ name, body string }

func (l *loader) url(path string) string { return l.o.base.String() + path }

// get fetches path and returns the body; it records the request in stats
// unless the load phase ended while it was in flight.
func (l *loader) get(ctx context.Context, path string) ([]byte, bool) {
	req, err := http.NewRequestWithContext(l.hard, http.MethodGet, l.url(path), nil)
	if err != nil {
		l.st.fail(true, "GET build: "+err.Error())
		return nil, false
	}
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		if l.hard.Err() == nil {
			l.st.fail(true, "GET transport: "+trimErr(err))
		}
		return nil, false
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	switch {
	case err != nil:
		if l.hard.Err() == nil {
			l.st.fail(true, "GET read body: "+trimErr(err))
		}
		return nil, false
	case resp.StatusCode != http.StatusOK:
		l.st.fail(true, fmt.Sprintf("GET %s: status %d", pattern(path), resp.StatusCode))
		return nil, false
	case strings.HasPrefix(path, "/articles/") && !bytes.Contains(body, []byte("<article")):
		l.st.fail(true, "GET /articles/…: 200 without <article>")
		return nil, false
	}
	l.st.read(d)
	return body, true
}

func trimErr(err error) string {
	s := err.Error()
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}

// pattern groups paths for error reports.
func pattern(path string) string {
	path, _, _ = strings.Cut(path, "?")
	for _, p := range []string{"/articles/", "/tags/", "/sources/", "/sections/", "/sitemaps/"} {
		if strings.HasPrefix(path, p) {
			return p + "…"
		}
	}
	return path
}

// discover reads the front page and the sitemaps.
func (l *loader) discover(ctx context.Context) error {
	body, ok := l.get(ctx, "/")
	if !ok {
		return errors.New("cannot read the front page")
	}
	l.site.learn(body)
	idx, ok := l.get(ctx, "/sitemap.xml")
	if !ok {
		return errors.New("cannot read /sitemap.xml")
	}
	var maps []string
	for _, m := range locRe.FindAllSubmatch(idx, -1) {
		if u, err := url.Parse(string(m[1])); err == nil && u.Path != "" {
			maps = append(maps, u.Path) // fetched from -base, whatever host the sitemap names
		}
	}
	for i, p := range maps {
		if i == 4 {
			break
		}
		sm, ok := l.get(ctx, p)
		if !ok {
			continue
		}
		l.site.mu.Lock()
		for _, m := range locRe.FindAllSubmatch(sm, -1) {
			if u, err := url.Parse(string(m[1])); err == nil && strings.HasPrefix(u.Path, "/articles/") {
				l.site.add(u.Path)
			}
		}
		l.site.mu.Unlock()
	}
	// Taxonomy pages appear on articles; read a few to learn them.
	for i, a := range l.site.articleList() {
		if i == 5 {
			break
		}
		if b, ok := l.get(ctx, a); ok {
			l.site.learn(b)
		}
	}
	if len(l.site.articleList()) == 0 {
		return errors.New("no articles found on the front page or in the sitemaps")
	}
	return nil
}

func loadMode(parent context.Context, o *options) (bool, error) {
	commentWriters, importWriters := o.writers-o.writers/2, o.writers/2
	if importWriters > 0 && o.bin == "" {
		fmt.Println("note: no -bin, so all writers post comments")
		commentWriters, importWriters = o.writers, 0
	}
	if importWriters > 0 {
		if _, err := os.Stat(o.bin); err != nil {
			return false, fmt.Errorf("-bin: %w", err)
		}
	}
	if o.db != "" {
		if _, err := os.Stat(o.db); err != nil {
			return false, fmt.Errorf("-db: %w", err)
		}
	}
	hard, cancelHard := context.WithTimeout(parent, o.duration+60*time.Second)
	defer cancelHard()
	l := &loader{o: o, client: newClient(o.readers + o.writers), st: newStats(), site: newSite(),
		runID: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff), hard: hard}
	l.pick = newStoryPicker(l.site)
	if err := l.discover(hard); err != nil {
		return false, err
	}
	fmt.Printf("soak: %s for %s: %d readers, %d comment writers, %d import writers (batches of %d); %d articles known; run %s\n",
		o.base, o.duration, o.readers, commentWriters, importWriters, o.batch, len(l.site.articleList()), l.runID)

	ctx, cancel := context.WithTimeout(parent, o.duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < o.readers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(o.seed*1000 + int64(i)))
			for ctx.Err() == nil {
				l.get(ctx, l.site.pick(r))
			}
		}(i)
	}
	// Learn the stories the import writers add.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick.Every(ctx, 5*time.Second, 5*time.Second, func() {
			if b, ok := l.get(ctx, "/"); ok {
				l.site.learn(b)
			}
		})
	}()
	for i := 0; i < commentWriters; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			l.commentWriter(ctx, i)
		}(i)
	}
	for i := 0; i < importWriters; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			l.importWriter(ctx, i)
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)

	st := l.st
	fmt.Printf("\nload phase: %s\n", elapsed.Round(time.Millisecond))
	fmt.Printf("requests:  %d (%.0f/s)\n", st.requests, float64(st.requests)/elapsed.Seconds())
	fmt.Printf("errors:    %d\n", st.errors)
	keys := make([]string, 0, len(st.errSamples))
	for k := range st.errSamples {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i == 20 {
			fmt.Printf("  … %d more kinds\n", len(keys)-20)
			break
		}
		fmt.Printf("  %6d × %s\n", st.errSamples[k], k)
	}
	fmt.Printf("reads:     %d, p50 %s, p99 %s\n", len(st.reads), ms(percentile(st.reads, .5)), ms(percentile(st.reads, .99)))
	fmt.Printf("writes:    %d comment POSTs acknowledged (303), p50 %s, p99 %s; %d rate-limited (429, not errors)\n",
		len(l.comments), ms(percentile(st.writes, .5)), ms(percentile(st.writes, .99)), st.rateLimited)
	fmt.Printf("imports:   %d batches acknowledged (%d stories), p50 %s, p99 %s per batch (process start to exit); %d failed\n",
		len(st.imports), len(l.urls), ms(percentile(st.imports, .5)), ms(percentile(st.imports, .99)), st.importFails)

	lost, err := l.verify(parent)
	if err != nil {
		return false, err
	}
	ok := st.errors == 0 && lost == 0
	verdict := "PASS"
	if !ok {
		verdict = "FAIL"
	}
	fmt.Printf("SUMMARY load %s: requests %d, errors %d, read p50 %s p99 %s, write p50 %s p99 %s, import p50 %s p99 %s, acknowledged %d comments + %d stories, rate-limited %d, lost %d\n",
		verdict, st.requests, st.errors, ms(percentile(st.reads, .5)), ms(percentile(st.reads, .99)),
		ms(percentile(st.writes, .5)), ms(percentile(st.writes, .99)),
		ms(percentile(st.imports, .5)), ms(percentile(st.imports, .99)),
		len(l.comments), len(l.urls), st.rateLimited, lost)
	return ok, nil
}
