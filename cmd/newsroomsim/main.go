// Command newsroomsim measures the render cache under a simulated
// newsroom, for make bench: an editor publishes a new story every 10
// seconds through the story editor (POST /admin/stories, the real write
// path), while readers ask for pages at a fixed rate, spread Zipf-like
// over every article of the site, plus the front page, section pages and
// the stories just published. It runs the real server in this process on
// 127.0.0.1 over a copy of a database it may write to:
//
//	newsroomsim -db bench-copy.db -duration 60s
//
// and prints the cache hit ratio, the latency of each kind of page (p50,
// p99, measured from when each request was due, so a stalled server is
// not hidden), the publish latency, and whether every page read right
// after a publish showed the new story. -global empties the whole cache
// on every write, as before fine-grained invalidation, for comparison.
package main

import (
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"newsdesk/internal/desk"
	"newsdesk/internal/news"
	"newsdesk/internal/sqlite"
	"newsdesk/web"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "newsroomsim:", err)
		os.Exit(1)
	}
}

type config struct {
	db               string
	duration, warmup time.Duration
	every            time.Duration
	rate             int
	workers          int
	zipf             float64
	cacheMB          int
	global           bool
	seed             uint64
}

func run() error {
	var cfg config
	flag.StringVar(&cfg.db, "db", "", "database to serve and write to (a copy: stories are added)")
	flag.DurationVar(&cfg.duration, "duration", 60*time.Second, "how long to measure, after the warm-up")
	flag.DurationVar(&cfg.warmup, "warmup", 10*time.Second, "readers before measuring, to fill the cache")
	flag.DurationVar(&cfg.every, "every", 10*time.Second, "a new story every")
	flag.IntVar(&cfg.rate, "rate", 2000, "reader requests per second (open loop)")
	flag.IntVar(&cfg.workers, "workers", 256, "most requests in flight")
	flag.Float64Var(&cfg.zipf, "zipf", 1.0, "Zipf exponent of article popularity (1: the k-th most read article is read 1/k as often as the first)")
	flag.IntVar(&cfg.cacheMB, "cache-mb", 64, "render cache size in MiB, as serve --cache-mb")
	flag.BoolVar(&cfg.global, "global", false, "empty the whole cache on every write (the behaviour before keys)")
	flag.Uint64Var(&cfg.seed, "seed", 1, "random seed")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measured run to this file")
	flag.Parse()
	if cfg.db == "" {
		return errors.New("-db is required")
	}
	ctx := context.Background()
	db, err := sqlite.OpenExisting(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()

	dk := desk.New(db)
	if err := dk.Upgrade(ctx); err != nil {
		return err
	}
	var store web.Store = site{db, dk}
	if cfg.global {
		store = globalStore{site{db, dk}}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	srv, err := web.New(web.Config{BaseURL: base, PageCacheBytes: cfg.cacheMB << 20,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, store)
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go srv.Serve(sctx, ln)

	t0 := time.Now()
	sim, err := newSim(ctx, cfg, db, srv, base)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "newsroomsim: %d articles from the sitemaps in %s\n", len(sim.articles), time.Since(t0).Round(time.Millisecond))
	// The first write loads the related index, which takes seconds at
	// 100k stories: not part of the newsroom, and not through the editor,
	// whose request would time out on a loaded machine.
	t0 = time.Now()
	first := &news.Story{Title: "Newsroom simulation begins", Body: "The newsroom opens.", Source: news.Source{Name: "Newsroom"},
		Status: news.StatusPublished, PublishedAt: time.Now().UTC().Truncate(time.Minute)}
	if err := dk.CreateStory(ctx, first, 0); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "newsroomsim: first write (loads the related index) in %s\n", time.Since(t0).Round(time.Millisecond))
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return sim.run(ctx)
}

// site is the Store serve gives the server: reads from the database,
// story writes through the application layer.
type site struct {
	*sqlite.DB
	*desk.Desk
}

// globalStore is the store with every write changing everything.
type globalStore struct{ site }

func (g globalStore) Changes(since int64) news.Changes {
	return news.Changes{Version: g.Version(), All: true}
}

type sim struct {
	cfg      config
	db       *sqlite.DB
	srv      *web.Server
	base     string
	client   *http.Client
	writer   *http.Client // the editor's: a save may take long
	articles []string     // article paths, most read first
	cdf      []float64
	sections []string
	session  *http.Cookie

	mu     sync.Mutex
	fresh  []string // paths of the stories published in this run, newest last
	lat    map[string][]time.Duration
	errs   map[string]int
	stale  []string
	posts  []time.Duration
	record atomic.Bool
	late   atomic.Int64
	unsent int64
	// sent and firsts count the measured requests, and those for a page
	// not asked for before in the run (warm-up included): the misses no
	// cache avoids.
	sent, firsts int64
}

func newSim(ctx context.Context, cfg config, db *sqlite.DB, srv *web.Server, base string) (*sim, error) {
	s := &sim{cfg: cfg, db: db, srv: srv, base: base, lat: map[string][]time.Duration{}, errs: map[string]int{},
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.workers},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	s.writer = &http.Client{Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var err error
	if s.articles, err = s.sitemapArticles(); err != nil {
		return nil, err
	}
	if len(s.articles) == 0 {
		return nil, errors.New("the database has no stories")
	}
	r := rand.New(rand.NewPCG(cfg.seed, 1))
	r.Shuffle(len(s.articles), func(i, j int) { s.articles[i], s.articles[j] = s.articles[j], s.articles[i] })
	s.cdf = zipfCDF(len(s.articles), cfg.zipf)
	secs, err := db.Sections(ctx)
	if err != nil {
		return nil, err
	}
	for _, sec := range secs {
		s.sections = append(s.sections, "/sections/"+sec.Slug)
	}
	// An editor, logged in.
	u := &news.User{Email: fmt.Sprintf("sim-%d@newsroom.example", time.Now().UnixNano()), Name: "Sim Editor", Role: news.RoleEditor}
	if err := db.CreateUser(ctx, u, "a long simulated password"); err != nil {
		return nil, err
	}
	tok, err := db.CreateSession(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	s.session = &http.Cookie{Name: "newsdesk_session", Value: tok}
	return s, nil
}

// sitemapArticles reads every article path from the sitemaps, as a crawler
// would.
func (s *sim) sitemapArticles() ([]string, error) {
	type loc struct {
		Loc string `xml:"loc"`
	}
	var index struct {
		Sitemaps []loc `xml:"sitemap"`
	}
	if err := s.getXML("/sitemap.xml", &index); err != nil {
		return nil, err
	}
	var paths []string
	for _, sm := range index.Sitemaps {
		u, err := url.Parse(sm.Loc)
		if err != nil || !strings.Contains(u.Path, "/stories-") {
			continue
		}
		var set struct {
			URLs []loc `xml:"url"`
		}
		if err := s.getXML(u.Path, &set); err != nil {
			return nil, err
		}
		for _, l := range set.URLs {
			if p, err := url.Parse(l.Loc); err == nil {
				paths = append(paths, p.Path)
			}
		}
	}
	slices.Sort(paths) // the sitemaps' order is not the popularity order
	return paths, nil
}

func (s *sim) getXML(path string, v any) error {
	resp, err := s.client.Get(s.base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return xml.NewDecoder(resp.Body).Decode(v)
}

// zipfCDF is the cumulative distribution of ranks 1…n with P(k) ∝ k^-s.
func zipfCDF(n int, s float64) []float64 {
	cdf := make([]float64, n)
	sum := 0.0
	for k := range n {
		sum += math.Pow(float64(k+1), -s)
		cdf[k] = sum
	}
	for k := range cdf {
		cdf[k] /= sum
	}
	return cdf
}

// pick chooses the next reader request: 85 % an article by popularity, 5 %
// the front page, 5 % a section page, 5 % one of the stories published in
// the last minute (an article while there is none).
func (s *sim) pick(r *rand.Rand) (kind, path string) {
	x := r.Float64()
	switch {
	case x < 0.05:
		return "front", "/"
	case x < 0.10 && len(s.sections) > 0:
		return "section", s.sections[r.IntN(len(s.sections))]
	case x < 0.15:
		s.mu.Lock()
		n := len(s.fresh)
		var p string
		if n > 0 {
			p = s.fresh[n-1-r.IntN(min(n, 6))]
		}
		s.mu.Unlock()
		if p != "" {
			return "new article", p
		}
	}
	return "article", s.articles[sort.SearchFloat64s(s.cdf, r.Float64())]
}

type job struct {
	kind, path string
	due        time.Time
}

func (s *sim) run(ctx context.Context) error {
	jobs := make(chan job, s.cfg.workers)
	var wg sync.WaitGroup
	for range s.cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				s.read(j)
			}
		}()
	}
	start := time.Now()
	measureFrom := start.Add(s.cfg.warmup)
	end := measureFrom.Add(s.cfg.duration)

	var before web.CacheStats
	done := make(chan struct{})
	var writeErr error
	go func() {
		defer close(done)
		writeErr = s.newsroom(ctx, start, end)
	}()

	r := rand.New(rand.NewPCG(s.cfg.seed, 2))
	interval := time.Second / time.Duration(s.cfg.rate)
	next := start
	recording := false
	asked := map[string]bool{}
	// Requests are due at a fixed rate. When every worker is busy and the
	// queue is full, the request waits, and its latency counts from when
	// it was due; the run still ends on time, and the requests never sent
	// are counted.
	for next.Before(end) && time.Now().Before(end) {
		if !recording && !next.Before(measureFrom) {
			recording = true
			before = s.srv.CacheStats()
			s.record.Store(true)
		}
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		kind, path := s.pick(r)
		if recording {
			s.sent++
			if !asked[path] {
				s.firsts++
			}
		}
		asked[path] = true
		select {
		case jobs <- job{kind, path, next}:
		default:
			if recording {
				s.late.Add(1)
			}
			jobs <- job{kind, path, next}
		}
		next = next.Add(interval)
	}
	s.unsent = int64(end.Sub(next) / interval)
	after := s.srv.CacheStats()
	s.record.Store(false)
	close(jobs)
	wg.Wait()
	<-done
	if writeErr != nil {
		return writeErr
	}
	s.report(before, after)
	return nil
}

// read fetches one page, as a browser does with gzip, and records its
// latency from when it was due. The body is read, not decompressed: the
// reader's work is not the server's.
func (s *sim) read(j job) {
	req, _ := http.NewRequest(http.MethodGet, s.base+j.path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := s.client.Do(req)
	ok := err == nil
	if ok {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ok = err == nil && resp.StatusCode == http.StatusOK
	}
	d := time.Since(j.due)
	if !s.record.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok {
		s.errs[j.kind]++
		return
	}
	s.lat[j.kind] = append(s.lat[j.kind], d)
	s.lat["all"] = append(s.lat["all"], d)
}

// newsroom publishes a story every s.cfg.every until end, each through the
// story editor, and checks that the front page and the story's section
// page show it as soon as the save has returned.
func (s *sim) newsroom(ctx context.Context, start, end time.Time) error {
	r := rand.New(rand.NewPCG(s.cfg.seed, 3))
	for n := 1; ; n++ {
		at := start.Add(time.Duration(n) * s.cfg.every)
		if !at.Before(end) {
			return nil
		}
		time.Sleep(time.Until(at))
		took, err := s.publish(ctx, r, n)
		if err != nil {
			return err
		}
		if s.record.Load() {
			s.mu.Lock()
			s.posts = append(s.posts, took)
			s.mu.Unlock()
		}
	}
}

// publish posts story n through the story editor and checks that the
// pages a reader would look at next show it.
func (s *sim) publish(ctx context.Context, r *rand.Rand, n int) (time.Duration, error) {
	{
		// A follow-up of an existing story: same section and tags, new
		// words, so it has related stories as a real one would.
		model, err := s.db.StoryBySlug(ctx, strings.TrimPrefix(s.articles[r.IntN(len(s.articles))], "/articles/"))
		if err != nil {
			return 0, err
		}
		title := fmt.Sprintf("Newsroom update %d: %s", n, model.Title)
		var tags []string
		for _, t := range model.Tags {
			tags = append(tags, t.Name)
		}
		form := url.Values{"title": {title}, "body": {"Update.\n\n" + model.Body}, "summary": {model.Summary},
			"section": {model.Section.Name}, "tags": {strings.Join(tags, ", ")}, "source": {"Newsroom"},
			"author": {"Sim Editor"}, "status": {news.StatusPublished}}
		req, _ := http.NewRequest(http.MethodPost, s.base+"/admin/stories", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(s.session)
		t0 := time.Now()
		resp, err := s.writer.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took := time.Since(t0)
		if resp.StatusCode != http.StatusSeeOther {
			return 0, fmt.Errorf("publish %d: %s", n, resp.Status)
		}
		path := "/articles/" + news.Slugify(title)
		if id, err := storyID(resp.Header.Get("Location")); err == nil {
			if st, err := s.db.StoryByID(ctx, id); err == nil {
				path = "/articles/" + st.Slug
			}
		}
		// Read-your-writes: the pages a reader would look at next.
		check := []string{"/", path}
		if model.Section.Slug != "" {
			check = append(check, "/sections/"+model.Section.Slug)
		}
		for _, p := range check {
			body, err := s.body(p)
			if err != nil || !strings.Contains(body, strings.ReplaceAll(path, "/articles/", "")) {
				s.mu.Lock()
				s.stale = append(s.stale, fmt.Sprintf("publish %d: GET %s lacks the new story (%v)", n, p, err))
				s.mu.Unlock()
			}
		}
		s.mu.Lock()
		s.fresh = append(s.fresh, path)
		s.mu.Unlock()
		return took, nil
	}
}

func storyID(location string) (int64, error) {
	var id int64
	_, err := fmt.Sscanf(location, "/admin/stories/%d", &id)
	return id, err
}

func (s *sim) body(path string) (string, error) {
	resp, err := s.client.Get(s.base + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func (s *sim) report(before, after web.CacheStats) {
	hits, misses := after.Hits-before.Hits, after.Misses-before.Misses
	mode := "fine-grained keys"
	if s.cfg.global {
		mode = "global version (every write empties the cache)"
	}
	fmt.Printf("newsroom: %s; %d articles, Zipf s=%.2f, %d req/s for %s after %s warm-up, a story every %s, cache %d MiB\n",
		mode, len(s.articles), s.cfg.zipf, s.cfg.rate, s.cfg.duration, s.cfg.warmup, s.cfg.every, s.cfg.cacheMB)
	fmt.Printf("cache hit ratio: %.1f %% (%d hits, %d misses); pages dropped by writes %d, whole-cache flushes %d; entries at end %d (%d MiB)\n",
		100*float64(hits)/float64(max(1, hits+misses)), hits, misses, after.Dropped-before.Dropped, after.Flushes-before.Flushes,
		after.Entries, after.Bytes>>20)
	fmt.Printf("first requests for a page: %d of %d (%.1f %%): an unbounded cache that no write emptied would hit at most %.1f %%\n",
		s.firsts, s.sent, 100*float64(s.firsts)/float64(max(1, s.sent)), 100-100*float64(s.firsts)/float64(max(1, s.sent)))
	fmt.Printf("%-12s %8s %9s %9s %9s %7s\n", "page", "requests", "p50", "p99", "max", "errors")
	for _, kind := range []string{"all", "article", "new article", "front", "section"} {
		l := s.lat[kind]
		slices.Sort(l)
		fmt.Printf("%-12s %8d %9s %9s %9s %7d\n", kind, len(l), pct(l, 0.50), pct(l, 0.99), pct(l, 1), s.errs[kind])
	}
	slices.Sort(s.posts)
	fmt.Printf("publish (POST /admin/stories): %d, p50 %s, max %s; requests that waited for a worker: %d, never sent: %d\n",
		len(s.posts), pct(s.posts, 0.5), pct(s.posts, 1), s.late.Load(), max(0, s.unsent))
	if len(s.stale) == 0 {
		fmt.Println("read-your-writes: every front, section and article page read after a publish showed it")
	}
	for _, m := range s.stale {
		fmt.Println("STALE:", m)
	}
}

func pct(l []time.Duration, q float64) string {
	if len(l) == 0 {
		return "-"
	}
	i := min(len(l)-1, int(q*float64(len(l))))
	return l[i].Round(10 * time.Microsecond).String()
}
