// Command soak is a bounded load and durability checker for a newsdesk
// server running on this machine.
//
// Load mode (the default) drives a running server at -base with readers
// and writers for -duration, then checks in the database file that every
// write the server or an import acknowledged is there. Crash mode (-crash)
// starts and SIGKILLs `newsdesk serve` and `newsdesk import` again and
// again and checks that the database survives. See -h for details.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "modernc.org/sqlite"
)

const help = `soak — a bounded load and durability check for newsdesk (local servers only)

Load mode (default):

  soak -base http://127.0.0.1:18080 -bin bin/newsdesk -db PATH [-readers 64] [-writers 4] [-duration 60s]

  Readers GET a mix of reader pages (/, /articles/{slug}, /tags/…, /sources/…,
  /sections/…, /search?q=…, /feed.xml, /sitemap.xml), with slugs discovered
  from the front page and the sitemaps. Writers are of two kinds, split
  evenly (comment writers get the odd one):
    - comment writers GET an article, take the _csrf token of its comment
      form, wait until the form is at least 3 s old, and POST a comment;
      303 is an acknowledged write, 429 "Too many comments" is counted as
      rate limited (not an error). Stories are spread so that no story gets
      more than 8 comments a minute from this tool.
    - import writers run "BIN import --db PATH -" with a small NDJSON batch
      of new stories (unique urls) while the server runs; exit 0 is an
      acknowledged write of every url in the batch.
  The server limits comments to 5 per 10 minutes per client address. Start
  it with --trust-proxy (NEWSDESK_TRUST_PROXY=1) to get many accepted
  comments: every comment POST carries its own X-Forwarded-For address from
  198.18.0.0/15 (turn off with -xff=false). Without --trust-proxy the header
  is ignored and most comments are answered 429.
  Afterwards it prints requests, errors (5xx, transport errors, unexpected
  statuses), read and write latency (p50/p99), then opens -db read-only and
  checks that every acknowledged comment (by body) and story (by url) is
  stored. Exit status 1 on any error or lost write.

Crash mode:

  soak -crash [N] -bin bin/newsdesk -db NEW_PATH [-seed 1] [-crash-stories 1000]

  N rounds (default 20; -crash 5 or -crash=5 for 5). A 1,000-story NDJSON file
  with unique urls is generated once. Each round starts
  "BIN serve --no-demo --addr 127.0.0.1:PORT --db PATH" and
  "BIN import --db PATH FILE" together, SIGKILLs both at a random moment
  between 50 ms and 3 s (seeded), restarts serve, requires /healthz 200
  within 2 s, PRAGMA integrity_check = ok, and every story of an import that
  exited 0 in an earlier round present. At the end the file is imported once
  more; its report must add exactly the stories not yet present (added 0
  when all are) and update none. -db must not exist yet (default: a new
  temporary directory).

Only 127.0.0.1 and localhost are ever contacted.

Flags:
`

func main() {
	code := run(os.Args[1:])
	os.Exit(code)
}

type options struct {
	base          *url.URL
	readers       int
	writers       int
	duration      time.Duration
	db            string
	bin           string
	seed          int64
	xff           bool
	batch         int
	crash         crashFlag
	crashStories  int
	healthyWithin time.Duration
}

// crashFlag is an int flag that may be given bare: -crash means 20 rounds.
type crashFlag struct {
	set    bool
	rounds int
}

func (c *crashFlag) String() string {
	if c == nil || !c.set {
		return "off"
	}
	return strconv.Itoa(c.rounds)
}

func (c *crashFlag) Set(s string) error {
	switch s {
	case "true":
		c.set, c.rounds = true, 20
		return nil
	case "false":
		c.set = false
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return errors.New("want a positive number of rounds")
	}
	c.set, c.rounds = true, n
	return nil
}

func (c *crashFlag) IsBoolFlag() bool { return true }

func run(args []string) int {
	var o options
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), help)
		fs.PrintDefaults()
	}
	base := fs.String("base", "http://127.0.0.1:18080", "server to load (127.0.0.1 or localhost only)")
	fs.IntVar(&o.readers, "readers", 64, "concurrent readers")
	fs.IntVar(&o.writers, "writers", 4, "concurrent writers (half post comments, half run imports)")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "length of the load phase")
	fs.StringVar(&o.db, "db", "", "the server's database file, checked read-only after the run (crash mode: a new file)")
	fs.StringVar(&o.bin, "bin", "", "the newsdesk binary (import writers, crash mode)")
	fs.Int64Var(&o.seed, "seed", 1, "random seed")
	fs.BoolVar(&o.xff, "xff", true, "give each comment POST its own X-Forwarded-For address (needs serve --trust-proxy)")
	fs.IntVar(&o.batch, "batch", 10, "stories per import batch in load mode")
	fs.Var(&o.crash, "crash", "crash mode with `N` rounds (bare -crash: 20)")
	fs.IntVar(&o.crashStories, "crash-stories", 1000, "stories in the crash-mode import file")
	fs.DurationVar(&o.healthyWithin, "healthy-within", 2*time.Second, "crash mode: longest acceptable time from restart to /healthz 200")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	// "-crash 5": the bare bool form took 20 and left "5" as an argument.
	if o.crash.set && fs.NArg() > 0 {
		if n, err := strconv.Atoi(fs.Arg(0)); err == nil && n > 0 {
			o.crash.rounds = n
			if err := fs.Parse(fs.Args()[1:]); err != nil {
				return 2
			}
		}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "soak: unexpected arguments %q\n", fs.Args())
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if o.crash.set {
		if o.bin == "" {
			fmt.Fprintln(os.Stderr, "soak: crash mode needs -bin")
			return 2
		}
		if err := crashMode(ctx, &o); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			return 1
		}
		return 0
	}

	u, err := localURL(*base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 2
	}
	o.base = u
	if o.readers < 0 || o.writers < 0 || o.duration <= 0 || o.batch < 1 {
		fmt.Fprintln(os.Stderr, "soak: -readers, -writers must be ≥ 0, -duration and -batch positive")
		return 2
	}
	if o.writers > 0 && o.db == "" {
		fmt.Fprintln(os.Stderr, "soak: -db is needed to verify writes (or use -writers 0)")
		return 2
	}
	ok, err := loadMode(ctx, &o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

// localURL accepts only http URLs on this machine.
func localURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("-base: %w", err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("-base %q: only http:// is supported", s)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" {
		return nil, fmt.Errorf("-base %q: refusing a host other than 127.0.0.1 or localhost", s)
	}
	u.Path, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

// newClient returns an HTTP client that can only reach loopback addresses
// and never follows redirects.
func newClient(conns int) *http.Client {
	d := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("refusing to connect to %s: not a loopback address", address)
			}
			return nil
		},
	}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConns:        conns + 8,
		MaxIdleConnsPerHost: conns + 8,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// ---------------------------------------------------------------- stats

type stats struct {
	mu          sync.Mutex
	requests    int
	errors      int
	errSamples  map[string]int
	reads       []time.Duration
	writes      []time.Duration // comment POSTs
	imports     []time.Duration // import processes, start to exit
	rateLimited int             // comment POSTs answered 429 "Too many comments"
	importFails int
}

func newStats() *stats { return &stats{errSamples: map[string]int{}} }

func (s *stats) read(d time.Duration) {
	s.mu.Lock()
	s.requests++
	s.reads = append(s.reads, d)
	s.mu.Unlock()
}

func (s *stats) write(d time.Duration) {
	s.mu.Lock()
	s.requests++
	s.writes = append(s.writes, d)
	s.mu.Unlock()
}

// fail records an error; request says whether it was an HTTP request.
func (s *stats) fail(request bool, key string) {
	s.mu.Lock()
	if request {
		s.requests++
	}
	s.errors++
	s.errSamples[key]++
	s.mu.Unlock()
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// ---------------------------------------------------------------- site map

// site is what readers know of the site, refreshed as stories arrive.
type site struct {
	mu       sync.Mutex
	articles []string
	seen     map[string]bool
	others   []string // tag, source and section pages
	words    []string // search terms
	wordSeen map[string]bool
}

func newSite() *site { return &site{seen: map[string]bool{}, wordSeen: map[string]bool{}} }

var (
	hrefRe = regexp.MustCompile(`href="(/(?:articles|tags|sources|sections)/[a-z0-9-]+)"`)
	locRe  = regexp.MustCompile(`<loc>([^<]+)</loc>`)
)

// learn adds the links of a page.
func (st *site) learn(body []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, m := range hrefRe.FindAllSubmatch(body, -1) {
		st.add(string(m[1]))
	}
}

func (st *site) add(path string) {
	if st.seen[path] {
		return
	}
	st.seen[path] = true
	if slug, ok := strings.CutPrefix(path, "/articles/"); ok {
		st.articles = append(st.articles, path)
		for _, w := range strings.Split(slug, "-") {
			if len(w) >= 5 && !st.wordSeen[w] && len(st.words) < 500 {
				st.wordSeen[w] = true
				st.words = append(st.words, w)
			}
		}
		return
	}
	st.others = append(st.others, path)
}

func (st *site) articleList() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]string(nil), st.articles...)
}

// pick returns a reader path.
func (st *site) pick(r *rand.Rand) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	x := r.Intn(100)
	switch {
	case x < 50 && len(st.articles) > 0:
		return st.articles[r.Intn(len(st.articles))]
	case x < 62:
		if r.Intn(4) == 0 {
			return "/?page=2"
		}
		return "/"
	case x < 77 && len(st.others) > 0:
		return st.others[r.Intn(len(st.others))]
	case x < 89 && len(st.words) > 0:
		return "/search?q=" + url.QueryEscape(st.words[r.Intn(len(st.words))])
	case x < 95:
		return "/feed.xml"
	default:
		return "/sitemap.xml"
	}
}

// ---------------------------------------------------------------- load mode

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
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if b, ok := l.get(ctx, "/"); ok {
					l.site.learn(b)
				}
			}
		}
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

// storyPicker spreads comments over stories so that none gets more than
// perMinute from this tool (the server allows 10 a minute per story).
type storyPicker struct {
	site *site
	mu   sync.Mutex
	next int
	last map[string][]time.Time
}

const perMinute = 8

func newStoryPicker(s *site) *storyPicker {
	return &storyPicker{site: s, last: map[string][]time.Time{}}
}

func (p *storyPicker) pick(now time.Time) string {
	arts := p.site.articleList()
	p.mu.Lock()
	defer p.mu.Unlock()
	for range arts {
		a := arts[p.next%len(arts)]
		p.next++
		ts := p.last[a]
		for len(ts) > 0 && now.Sub(ts[0]) > 62*time.Second {
			ts = ts[1:]
		}
		p.last[a] = ts
		if len(ts) < perMinute {
			p.last[a] = append(ts, now)
			return a
		}
	}
	return ""
}

var csrfRe = regexp.MustCompile(`<form class="comment-form"[^>]*>(?s:.*?)<input type="hidden" name="_csrf" value="([^"]+)"`)

// openForms is how many comment forms a comment writer keeps open at once,
// like a reader with several tabs, so that the server's 3 s minimum delay
// does not leave it idle.
const openForms = 6

type openForm struct {
	path, token string
	ready       time.Time
}

// commentWriter posts comments until ctx ends: it opens an article, takes
// the token of its comment form and sends the comment once the form is
// old enough, opening other articles in the meantime.
func (l *loader) commentWriter(ctx context.Context, w int) {
	seq := 0
	var forms []openForm
	for ctx.Err() == nil {
		if len(forms) > 0 && !time.Now().Before(forms[0].ready) {
			f := forms[0]
			forms = forms[1:]
			seq++
			l.postComment(w, seq, f)
			continue
		}
		if len(forms) >= openForms {
			sleep(ctx, time.Until(forms[0].ready))
			continue
		}
		path := l.pick.pick(time.Now())
		if path == "" {
			sleep(ctx, 200*time.Millisecond)
			continue
		}
		page, ok := l.get(ctx, path)
		if !ok {
			sleep(ctx, 100*time.Millisecond)
			continue
		}
		m := csrfRe.FindSubmatch(page)
		if m == nil {
			if !bytes.Contains(page, []byte("Comments are closed")) {
				l.st.fail(false, "article page without a comment form token")
			}
			continue
		}
		token := string(m[1])
		ts, _, _ := strings.Cut(token, ".")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			l.st.fail(false, "comment token without a time: "+token)
			continue
		}
		// The server refuses a form younger than 3 s (whole seconds).
		forms = append(forms, openForm{path, token, time.Unix(sec+3, 0).Add(50 * time.Millisecond)})
		sort.SliceStable(forms, func(i, j int) bool { return forms[i].ready.Before(forms[j].ready) })
	}
}

// postComment sends one comment and records the outcome.
func (l *loader) postComment(w, seq int, f openForm) {
	name := fmt.Sprintf("Soak Writer %d", w)
	body := fmt.Sprintf("soak %s comment w%d-%d: %s", l.runID, w, seq, sentence(rand.New(rand.NewSource(int64(w*100000+seq))), 12))
	form := url.Values{"name": {name}, "email": {fmt.Sprintf("soak%d@example.com", w)}, "body": {body}, "_csrf": {f.token}, "website": {""}}
	req, err := http.NewRequestWithContext(l.hard, http.MethodPost, l.url(f.path+"/comments"), strings.NewReader(form.Encode()))
	if err != nil {
		l.st.fail(true, "POST build: "+err.Error())
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if l.o.xff {
		n := l.xffSeq.Add(1)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.%d.%d.%d", 18+(n>>16)&1, (n>>8)&255, n&255))
	}
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		if l.hard.Err() == nil {
			l.st.fail(true, "POST transport: "+trimErr(err))
		}
		return
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	switch {
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), f.path):
		l.st.write(d)
		l.mu.Lock()
		l.comments = append(l.comments, ackComment{name, body})
		l.mu.Unlock()
	case resp.StatusCode == http.StatusTooManyRequests && bytes.Contains(rb, []byte("Too many comments")):
		l.st.mu.Lock()
		l.st.requests++
		l.st.rateLimited++
		l.st.mu.Unlock()
	default:
		msg := ""
		if i := bytes.Index(rb, []byte(`class="notice`)); i >= 0 {
			msg = " " + string(rb[i:min(len(rb), i+160)])
		}
		l.st.fail(true, fmt.Sprintf("POST /articles/…/comments: status %d%s", resp.StatusCode, msg))
	}
}

// importWriter runs small imports until ctx ends.
func (l *loader) importWriter(ctx context.Context, w int) {
	r := rand.New(rand.NewSource(l.o.seed*7919 + int64(w)))
	seq := 0
	for ctx.Err() == nil {
		var buf bytes.Buffer
		urls := make([]string, l.o.batch)
		for i := range urls {
			seq++
			urls[i] = fmt.Sprintf("https://soak.invalid/%s/w%d/%d", l.runID, w, seq)
			writeStory(&buf, r, urls[i], time.Now().Add(-time.Duration(r.Intn(3600))*time.Second))
		}
		cmd := exec.CommandContext(l.hard, l.o.bin, "import", "--db", l.o.db, "--source", "Soak Wire", "-")
		cmd.Stdin = &buf
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if l.hard.Err() != nil {
			return
		}
		rep, perr := parseReport(out.String())
		switch {
		case err != nil:
			l.st.mu.Lock()
			l.st.importFails++
			l.st.mu.Unlock()
			l.st.fail(false, fmt.Sprintf("import: %v: %s", err, firstLine(out.String())))
		case perr != nil || rep.added != len(urls):
			l.st.fail(false, fmt.Sprintf("import exit 0 but report %q (want added %d)", firstLine(out.String()), len(urls)))
			fallthrough
		default:
			l.st.mu.Lock()
			l.st.imports = append(l.st.imports, d)
			l.st.mu.Unlock()
			l.mu.Lock()
			l.urls = append(l.urls, urls...)
			l.mu.Unlock()
		}
		sleep(ctx, time.Duration(200+r.Intn(600))*time.Millisecond)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// openRO opens the database file read-only.
func openRO(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro&_pragma=busy_timeout(5000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// verify checks that every acknowledged write is in the database.
func (l *loader) verify(ctx context.Context) (int, error) {
	if l.o.db == "" {
		return 0, nil
	}
	db, err := openRO(l.o.db)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	bodies, err := column(ctx, db, "SELECT name || char(0) || body FROM comments WHERE body LIKE ?", "soak "+l.runID+" %")
	if err != nil {
		return 0, fmt.Errorf("read comments: %w", err)
	}
	urls, err := column(ctx, db, "SELECT url FROM stories WHERE url LIKE ?", "https://soak.invalid/"+l.runID+"/%")
	if err != nil {
		return 0, fmt.Errorf("read stories: %w", err)
	}
	lost := 0
	for _, c := range l.comments {
		if !bodies[c.name+"\x00"+c.body] {
			lost++
			if lost <= 10 {
				fmt.Printf("  LOST comment %q\n", c.body)
			}
		}
	}
	lostComments := lost
	for _, u := range l.urls {
		if !urls[u] {
			lost++
			if lost-lostComments <= 10 {
				fmt.Printf("  LOST story %s\n", u)
			}
		}
	}
	fmt.Printf("verify:    %d/%d acknowledged comments and %d/%d acknowledged stories found in %s; lost %d\n",
		len(l.comments)-lostComments, len(l.comments), len(l.urls)-(lost-lostComments), len(l.urls), l.o.db, lost)
	return lost, nil
}

func column(ctx context.Context, db *sql.DB, query string, args ...any) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		set[s] = true
	}
	return set, rows.Err()
}

// ---------------------------------------------------------------- stories

var vocabulary = strings.Fields(`council budget minister harbour railway election
	river flooding drought farmers wheat export tariff factory workers strike
	union hospital nurses vaccine research university students climate summit
	emissions solar turbine battery grid electricity prices inflation central
	bank interest rates housing rents mortgage court ruling appeal judge police
	investigation border migrants coastguard fishing quota ocean reef coral
	satellite launch rocket telescope software startup investors chip supply
	shortage shipping container port strike museum exhibition festival orchestra
	football league championship coach transfer stadium marathon cyclists
	parliament coalition opposition senator governor mayor transit buses tram
	bridge tunnel highway airport airline pilots tourism hotel wildfire
	evacuation heatwave storm hurricane earthquake volcano glacier forest
	wildlife conservation drinking water sanitation school teachers exams
	pension reform taxes revenue deficit trade agreement ceasefire talks
	diplomats embassy sanctions refinery pipeline copper lithium mining`)

func word(r *rand.Rand) string { return vocabulary[r.Intn(len(vocabulary))] }

func sentence(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = word(r)
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	return strings.Join(ws, " ") + "."
}

type ndjsonStory struct {
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	PublishedAt string   `json:"published_at"`
	URL         string   `json:"url"`
	Source      string   `json:"source,omitempty"`
	Section     string   `json:"section,omitempty"`
	Author      string   `json:"author,omitempty"`
	Tags        []string `json:"tags,omitempty"`
}

var sections = []string{"World", "Business", "Technology", "Science", "Sport", "Culture"}

// writeStory appends one NDJSON line.
func writeStory(w io.Writer, r *rand.Rand, u string, published time.Time) {
	var paras []string
	for p := 0; p < 3+r.Intn(3); p++ {
		var ss []string
		for s := 0; s < 2+r.Intn(3); s++ {
			ss = append(ss, sentence(r, 8+r.Intn(10)))
		}
		paras = append(paras, strings.Join(ss, " "))
	}
	title := sentence(r, 6+r.Intn(4))
	st := ndjsonStory{
		Title:       strings.TrimSuffix(title, "."),
		Body:        strings.Join(paras, "\n\n"),
		PublishedAt: published.UTC().Format(time.RFC3339),
		URL:         u,
		Source:      []string{"Soak Wire", "Loopback Press", "Test Herald"}[r.Intn(3)],
		Section:     sections[r.Intn(len(sections))],
		Author:      "Soak Reporter",
		Tags:        []string{word(r), word(r)},
	}
	b, _ := json.Marshal(st)
	w.Write(append(b, '\n'))
}

type report struct{ added, updated, duplicates, rejected int }

var reportRe = regexp.MustCompile(`added (\d+), updated (\d+), duplicates (\d+), rejected (\d+)`)

func parseReport(out string) (report, error) {
	m := reportRe.FindStringSubmatch(out)
	if m == nil {
		return report{}, fmt.Errorf("no import report in %q", firstLine(out))
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	return report{n(m[1]), n(m[2]), n(m[3]), n(m[4])}, nil
}

// ---------------------------------------------------------------- crash mode

type crasher struct {
	o      *options
	dir    string
	db     string
	file   string   // the file the rounds import now
	files  []string // every file generated so far
	urls   []string // the stories of every file generated so far
	acked  int      // how many of urls an import acknowledged (exit 0)
	r      *rand.Rand
	port   int
	client *http.Client
	log    *os.File
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func crashMode(ctx context.Context, o *options) error {
	c := &crasher{o: o, client: newClient(4)}
	c.client.Timeout = 2 * time.Second
	if o.db == "" {
		dir, err := os.MkdirTemp("", "soak-crash-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.db = filepath.Join(dir, "crash.db")
	}
	if _, err := os.Stat(o.db); err == nil {
		return fmt.Errorf("-db %s exists; crash mode wants a new file", o.db)
	}
	c.db = o.db
	c.dir = filepath.Dir(o.db)
	var err error
	if c.port, err = freePort(); err != nil {
		return err
	}
	if c.log, err = os.Create(filepath.Join(c.dir, "crash-serve.log")); err != nil {
		return err
	}
	defer c.log.Close()

	// Rounds import one file until an import of it is acknowledged, then
	// move on to a fresh file of new stories: every round's kill lands on
	// an import that still has stories to write.
	c.r = rand.New(rand.NewSource(o.seed))
	r := c.r
	if err := c.nextFile(); err != nil {
		return err
	}
	fmt.Printf("crash mode: %d rounds, db %s, %d-story file, port %d, seed %d\n", o.crash.rounds, c.db, o.crashStories, c.port, o.seed)

	var (
		failures  []string
		maxHealth time.Duration
		acked     bool // an import of the whole file exited 0
		ackRounds int
		intOK     int
		midAdd    int // rounds whose kill hit an import that still had stories to add
	)
	for round := 1; round <= o.crash.rounds && ctx.Err() == nil; round++ {
		// A 1,000-story import takes under a second here: kill within it.
		killAt := 20*time.Millisecond + time.Duration(r.Int63n(int64(700*time.Millisecond)))
		before := 0
		if _, serr := os.Stat(c.db); serr == nil {
			if before, err = c.present(ctx); err != nil {
				return err
			}
		}
		res, err := c.round(ctx, round, killAt, acked)
		if !res.importOK && before < len(c.urls) {
			midAdd++
		}
		if res.health > maxHealth {
			maxHealth = res.health
		}
		if res.integrity == "ok" {
			intOK++
		}
		if res.importOK {
			ackRounds++
		}
		status := "ok"
		if err != nil {
			status = "FAIL: " + err.Error()
			failures = append(failures, fmt.Sprintf("round %d: %v", round, err))
		}
		fmt.Printf("round %2d: kill at %4dms, import %-28s present %4d→%4d/%d, healthy in %4dms, integrity %s, %s\n",
			round, killAt.Milliseconds(), res.importState, before, res.present, len(c.urls), res.health.Milliseconds(), res.integrity, status)
		acked = acked || res.importOK
		if res.importOK {
			c.acked = len(c.urls)
			if err := c.nextFile(); err != nil {
				return err
			}
		}
	}
	if ctx.Err() != nil {
		failures = append(failures, "interrupted")
	}

	// Import the whole file once more: only the missing stories are new.
	var final string
	if ctx.Err() == nil {
		present, err := c.present(ctx)
		if err != nil {
			failures = append(failures, "final count: "+err.Error())
		}
		all := filepath.Join(c.dir, "crash-all.ndjson")
		var whole bytes.Buffer
		for _, f := range c.files {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			whole.Write(b)
		}
		if err := os.WriteFile(all, whole.Bytes(), 0o644); err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, c.o.bin, "import", "--db", c.db, all).CombinedOutput()
		rep, perr := parseReport(string(out))
		switch {
		case err != nil:
			failures = append(failures, fmt.Sprintf("final import: %v: %s", err, firstLine(string(out))))
		case perr != nil:
			failures = append(failures, "final import: "+perr.Error())
		case rep.added != len(c.urls)-present || rep.updated != 0 || rep.duplicates != present || rep.rejected != 0:
			failures = append(failures, fmt.Sprintf("final import of %d stories with %d present: %q, want added %d, updated 0, duplicates %d",
				len(c.urls), present, firstLine(string(out)), len(c.urls)-present, present))
		}
		after, err := c.present(ctx)
		if err == nil && after != len(c.urls) {
			failures = append(failures, fmt.Sprintf("after the final import %d of %d stories are present", after, len(c.urls)))
		}
		integ, err := c.integrity(ctx)
		if err != nil || integ != "ok" {
			failures = append(failures, fmt.Sprintf("final integrity_check: %q %v", integ, err))
		}
		final = fmt.Sprintf("%s with %d present before (want added %d), then %d/%d present, integrity %s",
			firstLine(string(out)), present, len(c.urls)-present, after, len(c.urls), integ)
		fmt.Println("final re-import:", final)
	}

	verdict := "PASS"
	if len(failures) > 0 {
		verdict = "FAIL"
	}
	fmt.Printf("SUMMARY crash %s: %d rounds, %d failures, integrity ok %d/%d, max time to healthy %dms (limit %dms), import finished before the kill in %d rounds, killed while adding stories in %d\n",
		verdict, o.crash.rounds, len(failures), intOK, o.crash.rounds, maxHealth.Milliseconds(), o.healthyWithin.Milliseconds(), ackRounds, midAdd)
	for _, f := range failures {
		fmt.Println("  FAIL", f)
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d crash-mode failures (serve log: %s)", len(failures), c.log.Name())
	}
	return nil
}

type roundResult struct {
	importOK    bool
	importState string
	present     int
	health      time.Duration
	integrity   string
}

type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	out  bytes.Buffer
}

func (c *crasher) start(ctx context.Context, args ...string) (*proc, error) {
	p := &proc{cmd: exec.CommandContext(ctx, c.o.bin, args...), done: make(chan struct{})}
	if args[0] == "serve" {
		p.cmd.Stdout, p.cmd.Stderr = c.log, c.log
	} else {
		p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	}
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) kill() {
	if !p.exited() {
		p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// stop ends serve gracefully, as an operator would.
func (p *proc) stop() error {
	if !p.exited() {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(10 * time.Second):
		p.kill()
		return errors.New("serve did not stop within 10 s of SIGTERM")
	}
}

func (c *crasher) serveArgs() []string {
	return []string{"serve", "--no-demo", "--addr", fmt.Sprintf("127.0.0.1:%d", c.port), "--db", c.db}
}

func (c *crasher) round(ctx context.Context, round int, killAt time.Duration, acked bool) (res roundResult, err error) {
	fmt.Fprintf(c.log, "--- round %d: start, kill at %s\n", round, killAt)
	srv, err := c.start(ctx, c.serveArgs()...)
	if err != nil {
		return res, err
	}
	imp, err := c.start(ctx, "import", "--db", c.db, c.file)
	if err != nil {
		srv.kill()
		return res, err
	}
	sleep(ctx, killAt)
	impDone, srvDone := imp.exited(), srv.exited()
	imp.kill()
	srv.kill()
	switch {
	case impDone && imp.err == nil:
		res.importOK = true
		rep, _ := parseReport(imp.out.String())
		res.importState = fmt.Sprintf("done (added %d, dup %d),", rep.added, rep.duplicates)
	case impDone:
		res.importState = "failed,"
		err = fmt.Errorf("import failed before the kill: %v: %s", imp.err, firstLine(imp.out.String()))
	default:
		res.importState = "killed,"
	}
	if srvDone && err == nil {
		err = fmt.Errorf("serve exited before the kill: %v (see %s)", srv.err, c.log.Name())
	}

	// Restart and time it.
	fmt.Fprintf(c.log, "--- round %d: restart\n", round)
	start := time.Now()
	srv, serr := c.start(ctx, c.serveArgs()...)
	if serr != nil {
		return res, serr
	}
	defer func() {
		if e := srv.stop(); e != nil && err == nil {
			err = fmt.Errorf("graceful stop of serve: %v", e)
		}
	}()
	healthy := false
	health := fmt.Sprintf("http://127.0.0.1:%d/healthz", c.port)
	for time.Since(start) < 10*time.Second && ctx.Err() == nil && !srv.exited() {
		if resp, e := c.client.Get(health); e == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				healthy = true
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	res.health = time.Since(start)
	if !healthy {
		res.integrity = "not checked"
		return res, errors.Join(err, fmt.Errorf("/healthz not 200 within %s after restart", res.health.Round(time.Millisecond)))
	}
	if res.health > c.o.healthyWithin {
		err = errors.Join(err, fmt.Errorf("healthy only after %s (limit %s)", res.health.Round(time.Millisecond), c.o.healthyWithin))
	}
	integ, ierr := c.integrity(ctx)
	res.integrity = integ
	if ierr != nil || integ != "ok" {
		err = errors.Join(err, fmt.Errorf("integrity_check: %q %v", integ, ierr))
	}
	n, perr := c.present(ctx)
	res.present = n
	if perr != nil {
		err = errors.Join(err, perr)
	} else if want := c.ackedNow(res.importOK); n < want {
		err = errors.Join(err, fmt.Errorf("lost writes: imports of %d stories exited 0, but only %d are present", want, n))
	}
	return res, err
}

func (c *crasher) integrity(ctx context.Context) (string, error) {
	db, err := openRO(c.db)
	if err != nil {
		return "", err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "; "), rows.Err()
}

// present counts the stories of the crash file in the database.
func (c *crasher) present(ctx context.Context) (int, error) {
	db, err := openRO(c.db)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	set, err := column(ctx, db, "SELECT url FROM stories WHERE url LIKE ?", fmt.Sprintf("https://soak.invalid/crash/%d/%%", c.o.seed))
	if err != nil {
		return 0, fmt.Errorf("count stories: %w", err)
	}
	n := 0
	for _, u := range c.urls {
		if set[u] {
			n++
		}
	}
	return n, nil
}

// nextFile writes a fresh file of o.crashStories new stories and makes it
// the one the rounds import.
func (c *crasher) nextFile() error {
	n := len(c.files)
	c.file = filepath.Join(c.dir, fmt.Sprintf("crash-stories-%d.ndjson", n))
	var buf bytes.Buffer
	base := time.Now().Add(-48 * time.Hour)
	for i := 0; i < c.o.crashStories; i++ {
		u := fmt.Sprintf("https://soak.invalid/crash/%d/%d/%d", c.o.seed, n, i)
		c.urls = append(c.urls, u)
		writeStory(&buf, c.r, u, base.Add(time.Duration(i)*time.Minute))
	}
	c.files = append(c.files, c.file)
	return os.WriteFile(c.file, buf.Bytes(), 0o644)
}

// ackedNow is how many stories must be present after a round whose import
// did (ok) or did not exit 0.
func (c *crasher) ackedNow(ok bool) int {
	if ok {
		return len(c.urls)
	}
	return c.acked
}
