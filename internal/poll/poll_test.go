package poll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk/internal/desk"
	"newsdesk/internal/fetch"
	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
	"newsdesk/internal/sqlite"
)

var start = time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)

// rig is a poller over a real database and a real fetcher, with a clock
// the test moves by hand.
type rig struct {
	t   testing.TB
	db  *sqlite.DB
	p   *Poller
	mu  sync.Mutex
	now time.Time
}

func newRig(t testing.TB, opts fetch.Options, conc int) *rig {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "poll.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &rig{t: t, db: db, now: start}
	db.Now = r.clock
	r.p = New(Config{Store: db, Get: fetch.New(opts), Import: IngestInto(desk.New(db)), Now: r.clock,
		Concurrency: conc, Log: slog.New(slog.DiscardHandler), Jitter: func(d time.Duration) time.Duration { return d }})
	t.Cleanup(r.p.Shutdown)
	return r
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.now = r.now.Add(d)
}

func (r *rig) addFeed(url string, every time.Duration) news.Feed {
	r.t.Helper()
	f := &news.Feed{Source: news.Source{Name: "Wire"}, URL: url, Interval: every}
	if err := f.Validate(); err != nil {
		r.t.Fatal(err)
	}
	if err := r.db.CreateFeed(context.Background(), f); err != nil {
		r.t.Fatal(err)
	}
	return *f
}

// tick runs one scheduling pass and waits for the fetches it started.
func (r *rig) tick() {
	r.t.Helper()
	if _, err := r.p.Tick(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	r.p.Wait()
}

func (r *rig) feed(id int64) news.Feed {
	r.t.Helper()
	f, err := r.db.Feed(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return f
}

func (r *rig) stories() int {
	r.t.Helper()
	n, err := r.db.StoryCount(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

var private = fetch.Options{AllowPrivate: true}

func rss(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire</title>` + strings.Join(items, "") + `</channel></rss>`
}

func item(n int, title, body string) string {
	return fmt.Sprintf(`<item><title>%s</title><link>https://wire.example/%d</link><description>%s</description><pubDate>Mon, 16 Mar 2026 10:%02d:00 GMT</pubDate></item>`, title, n, body, n)
}

const atomDoc = `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title><id>urn:aw</id><updated>2026-03-16T10:00:00Z</updated>
<entry><title>Glacier retreat measured</title><id>urn:aw:1</id><link href="https://aw.example/1"/><updated>2026-03-16T10:00:00Z</updated><content type="html">&lt;p&gt;The glacier retreated forty metres.&lt;/p&gt;</content></entry></feed>`

const jsonDoc = `{"version":"https://jsonfeed.org/version/1.1","title":"JSON Wire","items":[{"id":"jw-1","url":"https://jw.example/1","title":"Port strike ends","content_text":"Dockers returned to work.","date_published":"2026-03-16T09:00:00Z"}]}`

// The second fetch is conditional and a 304 imports nothing; RSS, Atom
// and JSON Feed all import.
func TestConditionalFetchAnd304(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path+" "+r.Header.Get("If-None-Match")+"|"+r.Header.Get("If-Modified-Since"))
		mu.Unlock()
		etag := `"` + r.URL.Path + `-v1"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Mon, 16 Mar 2026 10:00:00 GMT")
		switch r.URL.Path {
		case "/rss":
			fmt.Fprint(w, rss(item(1, "Harbour reopens", "Ships sail again."), item(2, "Bridge closes", "Repairs begin.")))
		case "/atom":
			fmt.Fprint(w, atomDoc)
		case "/json":
			fmt.Fprint(w, jsonDoc)
		}
	}))
	defer srv.Close()
	r := newRig(t, private, 4)
	feeds := []news.Feed{r.addFeed(srv.URL+"/rss", time.Minute), r.addFeed(srv.URL+"/atom", time.Minute), r.addFeed(srv.URL+"/json", time.Minute)}

	// One host: one fetch at a time, so three ticks.
	for range 3 {
		r.tick()
	}
	if n := r.stories(); n != 4 {
		t.Fatalf("after the first fetches: %d stories, want 4", n)
	}
	f := r.feed(feeds[0].ID)
	if f.LastStatus != 200 || f.ItemsAdded != 2 || f.ETag != `"/rss-v1"` || !f.NextFetchAt.Equal(start.Add(time.Minute)) {
		t.Errorf("feed after the first fetch = %+v", f)
	}

	r.advance(time.Minute)
	for range 3 {
		r.tick()
	}
	if n := r.stories(); n != 4 {
		t.Errorf("after 304s: %d stories, want still 4", n)
	}
	for _, id := range []int64{feeds[0].ID, feeds[1].ID, feeds[2].ID} {
		if f := r.feed(id); f.LastStatus != 304 || f.LastError != "" || f.Failures != 0 {
			t.Errorf("feed %d after the second fetch = status %d, error %q", id, f.LastStatus, f.LastError)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 6 || seen[3] != `/rss "/rss-v1"|Mon, 16 Mar 2026 10:00:00 GMT` {
		t.Errorf("requests = %q, want the second fetch of /rss to send its ETag and Last-Modified", seen)
	}
}

func TestServerErrorBacksOff(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	r := newRig(t, private, 4)
	f := r.addFeed(srv.URL, 10*time.Second)

	r.tick()
	got := r.feed(f.ID)
	if got.LastStatus != 500 || got.LastError != "the server answered 500 Internal Server Error" || got.Failures != 1 ||
		!got.NextFetchAt.Equal(start.Add(20*time.Second)) {
		t.Fatalf("after one 500: %+v, want a failure and the next fetch in 20s", got)
	}
	r.advance(10 * time.Second) // one interval: not due yet
	r.tick()
	if hits.Load() != 1 {
		t.Errorf("fetched %d times within the backoff, want 1", hits.Load())
	}
	r.advance(10 * time.Second)
	r.tick()
	got = r.feed(f.ID)
	if hits.Load() != 2 || got.Failures != 2 || !got.NextFetchAt.Equal(start.Add(20*time.Second+40*time.Second)) {
		t.Errorf("after two 500s: hits %d, %+v; want the next fetch 40s later", hits.Load(), got)
	}
	if !got.FailingSince.Equal(start) || got.Failing(start.Add(time.Hour)) || !got.Failing(start.Add(25*time.Hour)) {
		t.Errorf("failing since %v: want flagged only after a day", got.FailingSince)
	}
}

func TestBackoffIsCapped(t *testing.T) {
	for _, tc := range []struct {
		interval time.Duration
		failures int
		want     time.Duration
	}{
		{time.Minute, 1, 2 * time.Minute},
		{time.Minute, 3, 8 * time.Minute},
		{15 * time.Minute, 5, 8 * time.Hour},
		{15 * time.Minute, 6, MaxBackoff},
		{15 * time.Minute, 200, MaxBackoff},
		{24 * time.Hour, 3, 24 * time.Hour},
	} {
		if got := Backoff(tc.interval, tc.failures); got != tc.want {
			t.Errorf("Backoff(%s, %d) = %s, want %s", tc.interval, tc.failures, got, tc.want)
		}
	}
}

func TestRetryAfterAndMaxAgeAreHonoured(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy":
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/down":
			w.Header().Set("Retry-After", start.Add(2*time.Hour).Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/cached":
			w.Header().Set("Cache-Control", "public, max-age=1800")
			fmt.Fprint(w, rss(item(1, "Cached story", "Body.")))
		}
	}))
	defer srv.Close()
	r := newRig(t, private, 4)
	busy, down, cached := r.addFeed(srv.URL+"/busy", time.Minute), r.addFeed(srv.URL+"/down", time.Minute), r.addFeed(srv.URL+"/cached", time.Minute)
	for range 3 {
		r.tick()
	}
	// Jitter is the identity here; a Retry-After adds a tenth of itself.
	for _, tc := range []struct {
		id   int64
		want time.Time
	}{
		{busy.ID, start.Add(time.Hour + 6*time.Minute)},
		{down.ID, start.Add(2*time.Hour + 12*time.Minute)},
		{cached.ID, start.Add(30 * time.Minute)},
	} {
		if got := r.feed(tc.id); !got.NextFetchAt.Equal(tc.want) {
			t.Errorf("feed %s: next fetch %v, want %v", got.URL, got.NextFetchAt, tc.want)
		}
	}
	if got := r.feed(busy.ID); got.LastError != "the server answered 429 Too Many Requests" {
		t.Errorf("429 recorded as %q", got.LastError)
	}
}

func TestFetchFailuresAreRecordedInPlainWords(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			<-r.Context().Done()
		case "/huge":
			chunk := strings.Repeat("x", 64<<10)
			for range 64 { // 4 MB
				if _, err := fmt.Fprint(w, chunk); err != nil {
					return
				}
			}
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/html":
			fmt.Fprint(w, "<html><body>Not a feed</body></html>")
		}
	}))
	defer srv.Close()
	r := newRig(t, fetch.Options{AllowPrivate: true, Timeout: 300 * time.Millisecond, MaxBytes: 1 << 20}, 4)
	want := map[int64]string{
		r.addFeed(srv.URL+"/slow", time.Minute).ID: "no answer within 300ms",
		r.addFeed(srv.URL+"/huge", time.Minute).ID: "body larger than 1 MB",
		r.addFeed(srv.URL+"/loop", time.Minute).ID: "too many redirects (more than 5)",
		r.addFeed(srv.URL+"/html", time.Minute).ID: "the feed could not be read: not an RSS, Atom or JSON feed (root element <html>)",
	}
	for range len(want) {
		r.tick()
	}
	for id, msg := range want {
		if got := r.feed(id); got.LastError != msg || got.Failures != 1 {
			t.Errorf("feed %s: error %q, failures %d; want %q", got.URL, got.LastError, got.Failures, msg)
		}
	}
}

// A broken entry is reported by number; the rest of that feed, and the
// other feeds, import.
func TestMalformedFeedsDoNotBlockOthers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/shaky":
			fmt.Fprint(w, rss(item(1, "Good one", "Fine."), "\n<item><title>Broken</titl></item>", item(3, "Good three", "Fine too.")))
		case "/broken":
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>B</title`)
		case "/latin1":
			w.Header().Set("Content-Type", "application/rss+xml; charset=ISO-8859-1")
			fmt.Fprint(w, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title>"+
				"<item><title>Fran\xe7ois wins in Z\xfcrich</title><link>https://l1.example/1</link><description>D\xe9j\xe0 vu.</description><pubDate>Mon, 16 Mar 2026 09:00:00 GMT</pubDate></item></channel></rss>")
		}
	}))
	defer srv.Close()
	r := newRig(t, private, 4)
	shaky, broken, latin := r.addFeed(srv.URL+"/shaky", time.Minute), r.addFeed(srv.URL+"/broken", time.Minute), r.addFeed(srv.URL+"/latin1", time.Minute)
	for range 3 {
		r.tick()
	}
	if got := r.feed(shaky.ID); got.Failures != 0 || got.ItemsAdded != 2 || !strings.HasPrefix(got.LastRejected, "1 entry left out: entry 2: malformed XML on line 2") {
		t.Errorf("shaky feed = added %d, rejected %q, error %q", got.ItemsAdded, got.LastRejected, got.LastError)
	}
	if got := r.feed(broken.ID); got.Failures != 1 || !strings.HasPrefix(got.LastError, "the feed could not be read: malformed XML") {
		t.Errorf("broken feed error = %q", got.LastError)
	}
	if got := r.feed(latin.ID); got.ItemsAdded != 1 {
		t.Errorf("Latin-1 feed = %+v", got)
	}
	st, err := r.db.StoryBySlug(context.Background(), "francois-wins-in-zurich")
	if err != nil || st.Title != "François wins in Zürich" || st.Body != "Déjà vu." {
		t.Errorf("Latin-1 story = %+v, %v", st, err)
	}
}

func TestUpstreamUpdateUpdatesTheStory(t *testing.T) {
	var version atomic.Int32
	version.Store(1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := version.Load()
		etag := fmt.Sprintf(`"v%d"`, v)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		body := "Crews are on site."
		if v == 2 {
			body = "Crews are on site. The road reopens on Friday."
		}
		if v == 3 {
			fmt.Fprint(w, rss(item(2, "Other news", "Other.")))
			return
		}
		fmt.Fprint(w, rss(item(1, "Landslide blocks mountain road", body), item(2, "Other news", "Other.")))
	}))
	defer srv.Close()
	r := newRig(t, private, 4)
	f := r.addFeed(srv.URL, time.Minute)
	r.tick()
	version.Store(2)
	r.advance(time.Minute)
	r.tick()
	st, err := r.db.StoryBySlug(context.Background(), "landslide-blocks-mountain-road")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st.Body, "reopens on Friday") || !st.RevisedAt.Equal(start.Add(time.Minute)) {
		t.Errorf("story after the upstream update: body %q, revised %v", st.Body, st.RevisedAt)
	}
	if got := r.feed(f.ID); got.ItemsAdded != 2 || got.ETag != `"v2"` || r.stories() != 2 {
		t.Errorf("feed = %+v, %d stories; want 2 added in all and the new ETag", got, r.stories())
	}

	// The item leaves the feed: its story stays.
	version.Store(3)
	r.advance(time.Minute)
	r.tick()
	if _, err := r.db.StoryBySlug(context.Background(), "landslide-blocks-mountain-road"); err != nil || r.stories() != 2 {
		t.Errorf("after the item left the feed: %v, %d stories; want the story kept", err, r.stories())
	}
}

// Without --allow-private-fetch, feeds on private addresses are refused
// with a clear error and nothing is fetched.
func TestPrivateAddressesAreRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	r := newRig(t, fetch.Options{Timeout: 5 * time.Second}, 4)
	want := map[int64]string{
		r.addFeed(srv.URL+"/feed", time.Minute).ID:                  "refused: 127.0.0.1 is a loopback address",
		r.addFeed("http://10.0.0.1/feed.xml", time.Minute).ID:       "refused: 10.0.0.1 is a private address",
		r.addFeed("http://169.254.169.254/latest", time.Minute).ID:  "refused: 169.254.169.254 is a link-local address",
		r.addFeed("http://[::ffff:10.0.0.1]/feed", time.Minute).ID:  "refused: 10.0.0.1 is a private address",
		r.addFeed("http://100.64.1.1:8080/rss", time.Minute).ID:     "refused: 100.64.1.1 is a shared (carrier-grade NAT) address",
		r.addFeed("http://[fe80::1%25eth0]/feed", time.Minute).ID:   "refused: fe80::1 is a link-local address",
		r.addFeed("http://[fc00::1]:8443/feed.xml", time.Minute).ID: "refused: fc00::1 is a private address",
	}
	for range 2 { // 7 feeds, 4 at a time
		r.tick()
	}
	for id, msg := range want {
		if got := r.feed(id); !strings.HasPrefix(got.LastError, msg) {
			t.Errorf("feed %s: error %q, want %q", got.URL, got.LastError, msg)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server got %d requests", hits.Load())
	}
}

// One fetch at a time per host, and at most Concurrency at once.
func TestConcurrencyLimits(t *testing.T) {
	release := make(chan struct{})
	var inFlight, most atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		inFlight.Add(-1)
		fmt.Fprint(w, rss(item(1, "Story "+r.URL.Path, "Body.")))
	})
	a, b, c := httptest.NewServer(handler), httptest.NewServer(handler), httptest.NewServer(handler)
	defer a.Close()
	defer b.Close()
	defer c.Close()
	r := newRig(t, private, 2)
	for _, u := range []string{a.URL + "/1", a.URL + "/2", b.URL + "/1", c.URL + "/1"} {
		r.addFeed(u, time.Minute)
	}
	if _, err := r.p.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.p.mu.Lock()
	running := r.p.running
	r.p.mu.Unlock()
	if running != 2 {
		t.Errorf("first tick started %d fetches, want 2 (the limit)", running)
	}
	close(release)
	r.p.Wait()
	r.tick() // the two left: one per host
	r.tick()
	if most.Load() > 2 {
		t.Errorf("%d fetches ran at once, want at most 2", most.Load())
	}
	for _, f := range must(r.db.Feeds(context.Background())) {
		if f.LastStatus != 200 {
			t.Errorf("feed %s not fetched: %+v", f.URL, f)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Shutdown waits for a fetch in flight within the grace period, and
// cancels one that outlasts it without importing half of anything.
func TestShutdownWaitsThenCancels(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stuck" {
			<-r.Context().Done()
			return
		}
		<-release
		fmt.Fprint(w, rss(item(1, "Late but whole", "Body."), item(2, "Second of two", "Body.")))
	}))
	defer srv.Close()

	r := newRig(t, private, 4)
	r.addFeed(srv.URL+"/slow", time.Minute)
	if _, err := r.p.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { r.p.Shutdown(); close(done) }()
	select {
	case <-done:
		t.Fatal("Shutdown returned while a fetch was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-done
	if n := r.stories(); n != 2 {
		t.Errorf("after a graceful shutdown: %d stories, want the 2 fetched", n)
	}

	r2 := newRig(t, private, 4)
	r2.p.cfg.Grace = 100 * time.Millisecond
	f := r2.addFeed(srv.URL+"/stuck", time.Minute)
	if _, err := r2.p.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	r2.p.Shutdown()
	if got := r2.feed(f.ID); got.Failures != 1 || !strings.Contains(got.LastError, "canceled") || r2.stories() != 0 {
		t.Errorf("after a cancelled fetch: %+v, %d stories", got, r2.stories())
	}
}

func TestFetchNowAndProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			fmt.Fprint(w, rss(item(1, "One", "Body."), item(2, "Two", "Body."), `<item><title>No date</title><description>x</description></item>`))
		case "/ndjson":
			fmt.Fprint(w, `{"title":"T","body":"B","published_at":"2026-03-16T10:00:00Z"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	get := fetch.New(private)
	pr, err := ProbeFeed(context.Background(), get, srv.URL+"/feed")
	if err != nil || pr.Found() != "found 2 items (1 left out)" || pr.Title != "Wire" {
		t.Errorf("ProbeFeed = %+v %q, %v", pr, pr.Found(), err)
	}
	for path, msg := range map[string]string{"/missing": "the server answered 404 Not Found", "/ndjson": "this is NDJSON"} {
		if _, err := ProbeFeed(context.Background(), get, srv.URL+path); err == nil || !strings.HasPrefix(err.Error(), msg) {
			t.Errorf("ProbeFeed(%s) = %v, want %q", path, err, msg)
		}
	}

	r := newRig(t, private, 4)
	f := r.addFeed(srv.URL+"/feed", time.Hour)
	c, err := r.p.FetchNow(context.Background(), f.ID)
	if err != nil || c.Added != 2 || c.Failed {
		t.Fatalf("FetchNow = %+v, %v", c, err)
	}
	if got := r.feed(f.ID); got.ItemsAdded != 2 || !got.NextFetchAt.Equal(start.Add(time.Hour)) {
		t.Errorf("feed after fetch now = %+v", got)
	}
}

// A picture an import could not make is reported on the feed beside the
// rejected entries, while its story imports.
func TestDroppedPicturesAreReported(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, rss(item(1, "Bridge reopens", "Traffic flows again."), item(2, "Dam inspected", "Engineers found no cracks.")))
	}))
	defer srv.Close()
	r := newRig(t, private, 1)
	store := IngestInto(desk.New(r.db))
	r.p.cfg.Import = func(ctx context.Context, f news.Feed, body []byte, url string) (ingest.Report, error) {
		rep, err := store(ctx, f, body, url)
		// What desk.PrepareStories adds to the report when an image fails.
		rep.Pictures = append(rep.Pictures, ingest.Item{Unit: "entry", Pos: 2, Err: errors.New("refused: 169.254.169.254 is a link-local address")})
		return rep, err
	}
	f := r.addFeed(srv.URL, time.Minute)
	r.tick()
	got := r.feed(f.ID)
	if want := "1 picture left out: entry 2: refused: 169.254.169.254 is a link-local address"; got.LastRejected != want {
		t.Errorf("LastRejected = %q, want %q", got.LastRejected, want)
	}
	if n := r.stories(); n != 2 {
		t.Errorf("%d stories imported, want 2", n)
	}
}

// Of several nodes only the leader polls: a follower's Tick fetches
// nothing, and the same poller fetches once it leads.
func TestOnlyTheLeaderPolls(t *testing.T) {
	var fetches atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		fmt.Fprint(w, rss(item(1, "Harbour reopens", "Ships sail again.")))
	}))
	defer srv.Close()
	r := newRig(t, fetch.Options{AllowPrivate: true}, 2)
	var leading atomic.Bool
	r.p.cfg.Leading = leading.Load
	r.addFeed(srv.URL+"/rss", time.Minute)
	r.tick()
	if n := fetches.Load(); n != 0 || r.stories() != 0 {
		t.Fatalf("a follower fetched %d times", n)
	}
	leading.Store(true)
	r.tick()
	if n := fetches.Load(); n != 1 || r.stories() != 1 {
		t.Fatalf("the leader fetched %d times and has %d stories, want 1 and 1", n, r.stories())
	}
}
