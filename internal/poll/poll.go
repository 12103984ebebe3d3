// Package poll keeps subscribed feeds flowing: it decides when each feed
// is fetched, fetches it conditionally, hands new documents to an import
// function and records what happened.
//
// Scheduling:
//   - a feed is due at its next fetch time; after a success that is one
//     interval later (or the response's Cache-Control max-age when longer,
//     up to a day), with ±10 % jitter so feeds added together spread out;
//   - after a failure it backs off exponentially, interval·2^failures,
//     capped at 12 hours (or the interval, when longer); a 429 or 503 is not
//     retried before its Retry-After;
//   - at most Concurrency fetches run at once, and one at a time per host
//     (scheme, host and port), so a newsroom with 30 feeds on one site
//     does not hammer it;
//   - conditional GET: the ETag and Last-Modified of the last version
//     imported are sent back, and a 304 imports nothing;
//   - the validators are recorded only once a document is imported, so a
//     failed import is fetched in full again rather than answered 304;
//   - shutdown stops starting fetches, waits for those in flight up to a
//     grace period, then cancels them. A feed is imported in one
//     transaction, so a cancelled import leaves nothing half-written.
//
// Time comes from Config.Now and Run is a thin loop around Tick, so tests
// drive the scheduler step by step with a fake clock and no sleeps.
package poll

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"newsdesk/internal/fetch"
	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
)

// Limits of the schedule.
const (
	DefaultConcurrency = 4
	DefaultGrace       = 10 * time.Second
	MaxBackoff         = 12 * time.Hour
	MaxHonouredAge     = 24 * time.Hour // longest Cache-Control max-age or Retry-After followed
)

// Getter fetches a URL; *fetch.Client is the one used outside tests.
type Getter interface {
	Get(ctx context.Context, rawURL string, hdr http.Header) (*fetch.Response, error)
}

// Store keeps the feeds and the results of their fetches.
type Store interface {
	Feeds(ctx context.Context) ([]news.Feed, error)
	Feed(ctx context.Context, id int64) (news.Feed, error)
	RecordFeedCheck(ctx context.Context, id int64, c news.FeedCheck) error
}

// ImportFunc writes the stories of a fetched feed document, all or nothing.
// url is where the document came from, after redirects.
type ImportFunc func(ctx context.Context, f news.Feed, body []byte, url string) (ingest.Report, error)

// IngestInto returns the ImportFunc that reads a document with ingest and
// writes all its stories to store in one transaction, named after the
// feed's source.
func IngestInto(store ingest.Store) ImportFunc {
	return func(ctx context.Context, f news.Feed, body []byte, url string) (ingest.Report, error) {
		return ingest.ImportWith(ctx, store, bytes.NewReader(body), ingest.Options{Source: f.Source.Name, Base: url, Whole: true})
	}
}

// Config is what a Poller needs. Store, Get and Import are required.
type Config struct {
	Store       Store
	Get         Getter
	Import      ImportFunc
	Now         func() time.Time // default time.Now
	Concurrency int              // fetches at once; default DefaultConcurrency
	Grace       time.Duration    // how long shutdown waits for fetches in flight; default DefaultGrace
	Log         *slog.Logger     // default slog.Default()
	// Jitter spreads a delay; default: ±10 % at random. Tests make it exact.
	Jitter func(time.Duration) time.Duration
	// Leading says whether this node runs the schedule; nil means always.
	// Of several nodes sharing a database only the leader polls (Wake it
	// when it becomes the leader); any node can still FetchNow.
	Leading func() bool
}

// Poller schedules and runs feed fetches.
type Poller struct {
	cfg Config

	work       context.Context // fetches run in it; cancelled when the grace period after shutdown ends
	cancelWork context.CancelFunc
	wg         sync.WaitGroup
	wake       chan struct{}

	mu      sync.Mutex
	running int
	hosts   map[string]bool
	feeds   map[int64]bool
}

// New returns a Poller; call Run to start it.
func New(cfg Config) *Poller {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Jitter == nil {
		cfg.Jitter = func(d time.Duration) time.Duration {
			return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
		}
	}
	p := &Poller{cfg: cfg, wake: make(chan struct{}, 1), hosts: map[string]bool{}, feeds: map[int64]bool{}}
	p.work, p.cancelWork = context.WithCancel(context.Background())
	return p
}

// Wake makes Run look at the feeds now rather than at its next tick: after
// a feed is added or its fetch finished.
func (p *Poller) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run polls until ctx ends, then waits for the fetches in flight up to the
// grace period, cancels the rest, and returns once all have stopped.
func (p *Poller) Run(ctx context.Context) {
	for {
		wait, err := p.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			p.cfg.Log.Error("feed poller", "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			p.Shutdown()
			return
		case <-p.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Shutdown waits for the fetches in flight up to the grace period, then
// cancels those still running and waits for them to stop.
func (p *Poller) Shutdown() {
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(p.cfg.Grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		p.cfg.Log.Warn("feed poller: cancelling fetches still running after the grace period", "grace", p.cfg.Grace.String())
		p.cancelWork()
		<-done
	}
	p.cancelWork()
}

// Wait blocks until every fetch started so far has finished.
func (p *Poller) Wait() { p.wg.Wait() }

// Tick starts every due feed that a free slot and a free host allow, and
// says how long until the scheduler should look again.
func (p *Poller) Tick(ctx context.Context) (time.Duration, error) {
	const maxWait = 5 * time.Second // feeds added by another process are noticed this fast
	if p.cfg.Leading != nil && !p.cfg.Leading() {
		return maxWait, nil
	}
	feeds, err := p.cfg.Store.Feeds(ctx)
	if err != nil {
		return maxWait, err
	}
	now := p.cfg.Now()
	slices.SortStableFunc(feeds, func(a, b news.Feed) int { return a.NextFetchAt.Compare(b.NextFetchAt) })
	wait := maxWait
	for _, f := range feeds {
		if d := f.NextFetchAt.Sub(now); d > 0 {
			wait = min(wait, d)
			continue
		}
		if !p.claim(f, true) {
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.release(f)
			p.runOne(f)
		}()
	}
	return max(wait, 50*time.Millisecond), nil
}

func (p *Poller) runOne(f news.Feed) {
	c := p.check(p.work, f)
	p.record(f, c)
	p.Wake() // a slot and a host are free again
}

// record stores c even when the fetch was cancelled at shutdown.
func (p *Poller) record(f news.Feed, c news.FeedCheck) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(p.work), 10*time.Second)
	defer cancel()
	if err := p.cfg.Store.RecordFeedCheck(ctx, f.ID, c); err != nil {
		p.cfg.Log.Error("record feed fetch", "feed", f.ID, "err", err)
	}
	if c.Failed {
		p.cfg.Log.Warn("feed fetch failed", "feed", f.ID, "url", f.URL, "status", c.Status, "err", c.Err, "next", c.Next.Format(time.RFC3339))
	} else if c.Added+c.Updated > 0 {
		p.cfg.Log.Info("feed fetched", "feed", f.ID, "url", f.URL, "added", c.Added, "updated", c.Updated)
	}
}

// hostOf is what "one fetch at a time per host" counts: scheme, host, port.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// claim marks f and its host busy when they are free (and, with limit, a
// slot is free too).
func (p *Poller) claim(f news.Feed, limit bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := hostOf(f.URL)
	if p.feeds[f.ID] || p.hosts[h] || (limit && p.running >= p.cfg.Concurrency) {
		return false
	}
	p.feeds[f.ID], p.hosts[h] = true, true
	p.running++
	return true
}

func (p *Poller) release(f news.Feed) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.feeds, f.ID)
	delete(p.hosts, hostOf(f.URL))
	p.running--
}

// ErrBusy says a feed is being fetched already.
var ErrBusy = errors.New("this feed is being fetched right now")

// FetchNow fetches feed id at once (the newsroom's "fetch now"), waiting
// for another fetch from the same host to finish, and records the result.
func (p *Poller) FetchNow(ctx context.Context, id int64) (news.FeedCheck, error) {
	f, err := p.cfg.Store.Feed(ctx, id)
	if err != nil {
		return news.FeedCheck{}, err
	}
	for !p.claim(f, false) {
		p.mu.Lock()
		busy := p.feeds[f.ID]
		p.mu.Unlock()
		if busy {
			return news.FeedCheck{}, ErrBusy
		}
		select {
		case <-ctx.Done():
			return news.FeedCheck{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	p.wg.Add(1)
	defer p.wg.Done()
	defer p.release(f)
	c := p.check(ctx, f)
	p.record(f, c)
	return c, nil
}

// check fetches f once, imports what is new and says when to come back.
func (p *Poller) check(ctx context.Context, f news.Feed) news.FeedCheck {
	c := news.FeedCheck{At: p.cfg.Now()}
	hdr := http.Header{}
	hdr.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1")
	if f.ETag != "" {
		hdr.Set("If-None-Match", f.ETag)
	}
	if f.LastModified != "" {
		hdr.Set("If-Modified-Since", f.LastModified)
	}
	resp, err := p.cfg.Get.Get(ctx, f.URL, hdr)
	var header http.Header
	switch {
	case err != nil:
		c.Err, c.Failed = err.Error(), true
	case resp.Status == http.StatusNotModified:
		c.Status, header = resp.Status, resp.Header
	case resp.Status >= 200 && resp.Status < 300:
		c.Status, header = resp.Status, resp.Header
		rep, err := p.cfg.Import(ctx, f, resp.Body, resp.URL)
		if err != nil {
			c.Err, c.Failed = "the feed could not be read: "+err.Error(), true
			break
		}
		c.Added, c.Updated = rep.Added, rep.Updated
		c.ETag, c.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		c.Rejected = strings.Join(slices.DeleteFunc([]string{leftOut(rep.Rejected, "entry", "entries"), leftOut(rep.Pictures, "picture", "pictures")}, func(s string) bool { return s == "" }), "; ")
		for _, it := range rep.Pictures {
			p.cfg.Log.Warn("feed item imported without its picture", "feed", f.ID, "url", f.URL, "entry", it.Pos, "err", it.Err)
		}
	default:
		c.Status, header = resp.Status, resp.Header
		c.Err, c.Failed = fmt.Sprintf("the server answered %d %s", resp.Status, http.StatusText(resp.Status)), true
	}
	c.Next = p.next(f, c, header)
	return c
}

// leftOut sums up, in plain words, what an import left out: items (one
// noun, many nouns) and why the first of them was.
func leftOut(items []ingest.Item, one, many string) string {
	if len(items) == 0 {
		return ""
	}
	first := items[0]
	msg := fmt.Sprintf("%s %d: %v", first.Unit, first.Pos, first.Err)
	if n := len(items); n > 1 {
		return fmt.Sprintf("%d %s left out; the first, %s", n, many, msg)
	}
	return "1 " + one + " left out: " + msg
}

// next says when f is due again after check c.
func (p *Poller) next(f news.Feed, c news.FeedCheck, h http.Header) time.Time {
	interval := max(f.Interval, news.MinFeedInterval)
	if !c.Failed {
		delay := interval
		if age := maxAge(h); age > delay {
			delay = min(age, MaxHonouredAge)
		}
		return c.At.Add(p.cfg.Jitter(delay))
	}
	delay := Backoff(interval, f.Failures+1)
	// Never before the server's Retry-After; a little after, so feeds told
	// the same moment do not return together.
	if c.Status == http.StatusTooManyRequests || c.Status == http.StatusServiceUnavailable {
		if ra := retryAfter(h, c.At); ra > delay {
			delay = min(ra, MaxHonouredAge)
			return c.At.Add(delay + max(0, p.cfg.Jitter(delay/10)))
		}
	}
	return c.At.Add(p.cfg.Jitter(delay))
}

// Backoff is the wait after the given number of failures in a row:
// interval·2^failures, at most MaxBackoff (or interval, when longer).
func Backoff(interval time.Duration, failures int) time.Duration {
	limit := max(MaxBackoff, interval)
	d := interval
	for range failures {
		if d >= limit/2 {
			return limit
		}
		d *= 2
	}
	return d
}

// maxAge reads Cache-Control max-age (0 when absent, or no-store/no-cache).
func maxAge(h http.Header) time.Duration {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(strings.ToLower(part)), "=")
		if k == "max-age" {
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}

// retryAfter reads Retry-After, in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(n, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// Probe is what one fetch of a would-be feed found.
type Probe struct {
	URL      string // after redirects
	Title    string // the source the feed names, when it names one
	Items    int    // entries that would import
	Rejected int    // entries that would not
}

// ProbeFeed fetches rawURL once and reads it as a feed without importing
// anything: the check before a subscription. The error says in plain
// words why the URL is no feed.
func ProbeFeed(ctx context.Context, get Getter, rawURL string) (Probe, error) {
	resp, err := get.Get(ctx, rawURL, nil)
	if err != nil {
		return Probe{}, err
	}
	if resp.Status != http.StatusOK {
		return Probe{}, fmt.Errorf("the server answered %d %s", resp.Status, http.StatusText(resp.Status))
	}
	items, err := ingest.Read(bytes.NewReader(resp.Body), "", resp.URL)
	if err != nil {
		return Probe{}, fmt.Errorf("the feed could not be read: %v", err)
	}
	pr := Probe{URL: resp.URL}
	for _, it := range items {
		if it.Unit != "entry" {
			return Probe{}, errors.New("this is NDJSON, not an RSS, Atom or JSON feed: import it with newsdesk import")
		}
		if it.Err != nil {
			pr.Rejected++
			continue
		}
		pr.Items++
		if pr.Title == "" {
			pr.Title = it.Story.Source.Name
		}
	}
	return pr, nil
}

// Found says what a probe found, for the newsroom and the shell:
// "found 20 items", "found 18 items (2 left out)".
func (pr Probe) Found() string {
	s := fmt.Sprintf("found %d item%s", pr.Items, plural(pr.Items))
	if pr.Rejected > 0 {
		s += fmt.Sprintf(" (%d left out)", pr.Rejected)
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
