package web

import (
	"bytes"
	"cmp"
	"container/list"
	"context"
	"encoding/binary"
	"encoding/hex"
	"hash/maphash"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"newsdesk/internal/news"
)

// pageCache keeps rendered reader pages in memory, plain and gzipped, so
// that a warm request costs neither a render nor a compression. Entries
// are keyed by URL and know what they show, as cache keys (news.StoryKey,
// news.KeyFront …): a write names the keys it changed, and only the pages
// showing one of them are thrown away (apply), before any request after
// the write is answered (Server.syncCache). A page that named no keys goes
// with any change. Entries also expire: when the first relative time on
// the page ("5 minutes ago") would read differently (templates.Fresh),
// and at the latest after pageTTL. The cache is bounded by bytes and
// evicts the least recently used page.
type pageCache struct {
	mu    sync.Mutex
	ll    *list.List // front is most recently used
	items map[string]*list.Element
	// byKey indexes the pages by the keys they show, in no order (a page
	// knows its place in each list: page.pos): most keys are on one page
	// or a few, and a slice costs a tenth of a set. anyKey holds the
	// pages that named none.
	byKey  map[string][]*page
	anyKey map[string]struct{}
	size   int
	limit  int

	// seen is the data version whose changes have been applied; recent
	// are the last changes applied, oldest first: a page rendered before
	// one of them is stored only if none touches what it shows.
	seen   atomic.Int64
	recent []applied

	// syncMu makes one request at a time apply new changes; nav is the
	// header's section list as of seen (navOK false when unknown).
	syncMu sync.Mutex
	nav    []news.Section
	navOK  bool

	// asked remembers the search pages rendered lately (worthKeeping).
	asked askedSet

	hits, misses, dropped, flushes atomic.Int64
}

// askedSet is a set of recently asked page keys, by hash, in two
// generations: when the newer holds askedKept keys, it becomes the older
// and the oldest are forgotten. It remembers between askedKept and twice
// as many keys, in about 36 bytes each (288 KiB when both are full).
type askedSet struct {
	mu         sync.Mutex
	new, older map[uint64]struct{}
}

// askedKept is a generation of askedSet: 4,096 searches is minutes of a
// busy site's searches, and seconds of a flood of unique ones.
const askedKept = 4096

var askedSeed = maphash.MakeSeed()

// again notes key and reports whether it was asked before, within the
// keys remembered.
func (a *askedSet) again(key string) bool {
	h := maphash.String(askedSeed, key)
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.new[h]; ok {
		return true
	}
	_, old := a.older[h]
	if a.new == nil || len(a.new) >= askedKept {
		a.older, a.new = a.new, make(map[uint64]struct{}, askedKept)
	}
	a.new[h] = struct{}{}
	return old
}

// worthKeeping reports whether the page just rendered for r, under cache
// key, is worth storing. Search pages are long-tail: most queries are
// asked once, and storing each would push out pages readers come back to
// (and a flood of unique searches would fill the cache with them). So a
// search page is stored when it is asked for a second time, within the
// last few thousand searches; every other page when first rendered.
func (pc *pageCache) worthKeeping(r *http.Request, key string) bool {
	return r.URL.Path != searchPath || pc.asked.again(key)
}

// applied is one call of apply: the changes after data version from up to
// to.
type applied struct {
	from, to int64
	keys     []string // sorted
	all      bool
}

// recentKept bounds pageCache.recent: a render that spans more changes
// than this is not stored.
const recentKept = 64

type page struct {
	key     string
	version int64 // the data version read before rendering
	created time.Time
	expires time.Time // when the clock alone changes it ("5 minutes ago")
	ctype   string
	// plain is the page as rendered; gz is it compressed. The cache keeps
	// plain only once a client without gzip asks for it (plainOf): every
	// browser takes gzip, and a page kept compressed only costs a third.
	plain    atomic.Pointer[[]byte]
	gz       []byte
	etag     string
	modified time.Time // Last-Modified; the render time unless the handler said
	// cacheControl overrides the server's page Cache-Control when set.
	cacheControl string
	// keys are what the page shows (sorted, no repeats); named says the
	// handler named them (a page naming none goes with any change).
	keys  []string
	named bool
	// pos is p's place in the cache's list of each of its keys (byKey),
	// while cached.
	pos []int32
	// surrogate and tags are keys as the Surrogate-Key and Cache-Tag
	// headers carry them.
	surrogate, tags string

	// header is every header line an answer from p carries whatever the
	// request (Content-Type, validators, Cache-Control, keys, Vary), and
	// plainLength and gzLength the Content-Length of each form: built
	// once (by prepare, newPage and compress), so that a hit only assigns
	// them.
	header                headerSet
	plainLength, gzLength []string
}

// cost is what p holds of the heap while cached: its bytes, plus about
// what its struct, header lines and list element take (pageOverhead) and
// each of its keys in the index (keyOverhead), as TestPageCacheCountsItsMemory
// measures.
func (p *page) cost() int {
	n := pageOverhead + len(p.key) + len(p.gz) + len(p.surrogate) + len(p.tags)
	if b := p.plain.Load(); b != nil {
		n += len(*b)
	}
	for _, k := range p.keys {
		n += keyOverhead + len(k)
	}
	return n
}

const (
	pageOverhead = 900
	keyOverhead  = 160
)

func newPageCache(limit int) *pageCache {
	return &pageCache{ll: list.New(), items: map[string]*list.Element{}, byKey: map[string][]*page{},
		anyKey: map[string]struct{}{}, limit: limit}
}

func (pc *pageCache) get(key string, now time.Time) *page {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	el, ok := pc.items[key]
	if !ok {
		return nil
	}
	p := el.Value.(*page)
	if !now.Before(p.expires) {
		pc.remove(el)
		return nil
	}
	pc.ll.MoveToFront(el)
	return p
}

// put stores p, unless a change applied since p's render began touches
// what it shows: p may hold data from before that write. (A change not yet
// applied is applied later, and throws p away if it touches it.) The plain
// page is kept beside the compressed one only when keepPlain.
func (pc *pageCache) put(p *page, keepPlain bool) {
	if len(*p.plain.Load())+len(p.key) > pc.limit/4 {
		return // one huge page must not flush the cache
	}
	p.compress()
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.changedSince(p) {
		return
	}
	if p.gz != nil && !keepPlain {
		p.plain.Store(nil)
	}
	if el, ok := pc.items[p.key]; ok {
		pc.remove(el)
	}
	pc.items[p.key] = pc.ll.PushFront(p)
	pc.size += p.cost()
	if !p.named {
		pc.anyKey[p.key] = struct{}{}
	}
	p.pos = make([]int32, len(p.keys))
	for j, k := range p.keys {
		p.pos[j] = int32(len(pc.byKey[k]))
		pc.byKey[k] = append(pc.byKey[k], p)
	}
	for pc.size > pc.limit {
		pc.remove(pc.ll.Back())
	}
}

// changedSince reports whether a change applied after p.version may touch
// p; true when the changes that far back are no longer known.
func (pc *pageCache) changedSince(p *page) bool {
	seen := pc.seen.Load()
	if p.version >= seen {
		return false
	}
	if len(pc.recent) == 0 || pc.recent[0].from > p.version {
		return true
	}
	for _, a := range pc.recent {
		if a.to <= p.version {
			continue
		}
		if a.all || !p.named {
			return true
		}
		for _, k := range p.keys {
			if _, found := slices.BinarySearch(a.keys, k); found {
				return true
			}
		}
	}
	return false
}

// plainOf returns p uncompressed, keeping it from now on beside the
// compressed copy when p is in the cache.
func (s *Server) plainOf(p *page) []byte {
	if b := p.plain.Load(); b != nil {
		return *b
	}
	zr, err := gzip.NewReader(bytes.NewReader(p.gz))
	if err != nil {
		panic("page cache: " + err.Error()) // we compressed it ourselves
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("page cache: " + err.Error())
	}
	if pc := s.cache; pc != nil {
		pc.mu.Lock()
		defer pc.mu.Unlock()
		if p.plain.Load() == nil {
			p.plain.Store(&b)
			if el, ok := pc.items[p.key]; ok && el.Value.(*page) == p {
				pc.size += len(b)
				for pc.size > pc.limit && pc.ll.Len() > 1 {
					pc.remove(pc.ll.Back())
				}
			}
		}
	}
	return b
}

func (pc *pageCache) remove(el *list.Element) {
	p := pc.ll.Remove(el).(*page)
	delete(pc.items, p.key)
	delete(pc.anyKey, p.key)
	for j, k := range p.keys {
		on := pc.byKey[k]
		i := p.pos[j]
		if int(i) >= len(on) || on[i] != p {
			continue // the list was taken out by apply
		}
		// The last page of the list takes p's place.
		last := len(on) - 1
		moved := on[last]
		on[i], on[last] = moved, nil
		moved.pos[slices.Index(moved.keys, k)] = i
		if last == 0 {
			delete(pc.byKey, k)
		} else {
			pc.byKey[k] = on[:last]
		}
	}
	pc.size -= p.cost()
}

// apply throws away the pages that ch, the changes after data version
// from, touches, and records it for put. It returns how many pages went.
func (pc *pageCache) apply(from int64, ch news.Changes) int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	n := 0
	if _, all := slices.BinarySearch(ch.Keys, news.KeyAll); all {
		ch.All = true
	}
	if ch.All {
		n = len(pc.items)
		pc.ll.Init()
		clear(pc.items)
		clear(pc.byKey)
		clear(pc.anyKey)
		pc.size = 0
		pc.flushes.Add(1)
	} else {
		drop := func(key string) {
			if el, ok := pc.items[key]; ok {
				pc.remove(el)
				n++
			}
		}
		for key := range pc.anyKey {
			drop(key)
		}
		for _, k := range ch.Keys {
			// Taken out of the index first, so that removing its pages
			// does not search it for each.
			on := pc.byKey[k]
			delete(pc.byKey, k)
			for _, p := range on {
				drop(p.key)
			}
		}
	}
	pc.dropped.Add(int64(n))
	if len(pc.recent) == recentKept {
		pc.recent = slices.Delete(pc.recent, 0, 1)
	}
	pc.recent = append(pc.recent, applied{from: from, to: ch.Version, keys: ch.Keys, all: ch.All})
	pc.seen.Store(ch.Version)
	return n
}

// syncCache applies the writes made since the render cache last looked
// (by this process or another, see Store.Changes) before a request is
// answered from it or a page is stored in it. The section list in every
// page's header is compared as well: when it changed, every page did.
func (s *Server) syncCache(ctx context.Context) {
	pc := s.cache
	if s.store.Version() == pc.seen.Load() {
		return
	}
	pc.syncMu.Lock()
	defer pc.syncMu.Unlock()
	from := pc.seen.Load()
	if s.store.Version() == from {
		return // another request applied them
	}
	ch := news.Changes{Version: s.store.Version(), All: true}
	if cl, ok := s.store.(ChangeLog); ok {
		ch = cl.Changes(from)
	}
	if !ch.All {
		nav, err := s.store.Sections(ctx)
		ch.All = err != nil || !pc.navOK || !slices.Equal(nav, pc.nav)
		// A write that lands while the sections are read may or may not be
		// in them: then the next change compares with nothing and empties
		// the cache.
		pc.nav, pc.navOK = nav, err == nil && s.store.Version() == ch.Version
	}
	pc.apply(from, ch)
}

// startCache begins the render cache at the store's current version.
func (s *Server) startCache(ctx context.Context) {
	// The sections first: a write between the two reads leaves the cache
	// behind it, and the next request applies it and compares.
	nav, err := s.store.Sections(ctx)
	s.cache.nav, s.cache.navOK = nav, err == nil
	s.cache.seen.Store(s.store.Version())
}

// CacheStats reports the render cache's counters.
type CacheStats struct {
	Hits, Misses int64
	Entries      int
	Bytes        int
	// Dropped counts pages thrown away by writes; Flushes the writes
	// that threw away every page.
	Dropped, Flushes int64
}

// CacheStats returns the render cache's counters.
func (s *Server) CacheStats() CacheStats {
	if s.cache == nil {
		return CacheStats{}
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	return CacheStats{Hits: s.cache.hits.Load(), Misses: s.cache.misses.Load(), Entries: len(s.cache.items), Bytes: s.cache.size,
		Dropped: s.cache.dropped.Load(), Flushes: s.cache.flushes.Load()}
}

// capture is a ResponseWriter that keeps what a handler writes.
type capture struct {
	header http.Header
	buf    *bytes.Buffer
}

func (w *capture) Header() http.Header         { return w.header }
func (w *capture) WriteHeader(int)             {} // Echo's Response keeps the status
func (w *capture) Write(b []byte) (int, error) { return w.buf.Write(b) }

// cachePages renders a reader page that serveCached did not find, stores
// it when the cache is on, and serves it with writePage: a reader page has
// the same headers, validators and answers to conditional requests
// whether it comes from the cache or not, and the cache on or off. Only
// complete 200 responses are kept.
func (s *Server) cachePages(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodGet {
			return next(c)
		}
		key := cacheKey(r)
		// The version is read before rendering: should a write change what
		// the page shows during the render, put sees it and does not keep
		// the page.
		version := s.store.Version()
		now := s.cfg.Now()

		res := c.Response()
		orig := res.Writer
		rec := &capture{header: orig.Header(), buf: getBuffer()}
		defer putBuffer(rec.buf)
		res.Writer = rec
		err := next(c)
		res.Writer = orig
		status := res.Status
		res.Committed, res.Size, res.Status = false, 0, http.StatusOK
		// The handler measured its own body; what is sent may be gzipped.
		orig.Header().Del(echo.HeaderContentLength)
		if err != nil {
			return err
		}
		if status != http.StatusOK || orig.Header().Get(echo.HeaderContentEncoding) != "" {
			res.WriteHeader(status)
			_, err := res.Write(rec.buf.Bytes())
			return err
		}
		h := orig.Header()
		// Only a page the cache keeps needs its own copy of the bytes:
		// the others are written before the buffer goes back.
		keep := s.cache != nil && s.cache.worthKeeping(r, key)
		p := newPage(key, version, now, h.Get(echo.HeaderContentType), rec.buf.Bytes(), keep)
		p.setKeys(c)
		if until := freshOf(c).Until(); !until.IsZero() && until.Before(p.expires) {
			p.expires = until
		}
		// A handler that knows better (feeds, robots.txt) keeps its own
		// freshness and modification time.
		p.cacheControl = h.Get(echo.HeaderCacheControl)
		if t, err := http.ParseTime(h.Get(echo.HeaderLastModified)); err == nil {
			p.modified = t
		}
		p.prepare(s.cfg.PageCacheControl)
		if keep {
			s.cache.put(p, !acceptsGzip(r))
		} else if s.cache != nil && acceptsGzip(r) {
			p.compress() // a search page not kept yet goes as a kept one would
		}
		return s.servePage(c, p)
	}
}

// gzipLevel is the compression of cached pages: each is compressed once,
// when it is stored (and a search page not kept yet for the request that
// asked for it; with the cache off, never). On an article page level 6 is
// within 2 % of level 9's size at less than half its time, and level 1 is
// 8 % larger (BenchmarkGzipLevels).
const gzipLevel = 6

// gzipWriters are reused: a new writer allocates its tables, several
// times the size of the page it compresses.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzipLevel)
	return zw
}}

func newPage(key string, version int64, now time.Time, ctype string, body []byte, copyBody bool) *page {
	p := &page{key: key, version: version, created: now.Truncate(time.Second), ctype: ctype, etag: etag(body)}
	plain := body
	if copyBody {
		plain = bytes.Clone(body)
	}
	p.plain.Store(&plain)
	p.plainLength = field(echo.HeaderContentLength, strconv.Itoa(len(plain))).value
	p.modified = p.created
	p.expires = p.created.Add(pageTTL)
	return p
}

// etag is the one entity tag of the site's pages and feeds: a hash of the
// bytes sent (before compression). A validator needs no cryptographic
// hash: 64 bits of xxHash tell one version of a page from the next, at a
// tenth of SHA-256's cost (8.8 µs for an article).
func etag(body []byte) string {
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], xxhash.Sum64(body))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// prepare builds the header lines every answer from p carries, once p's
// fields are final and before p is shared; cacheControl is the server's,
// for pages whose handler set none.
func (p *page) prepare(cacheControl string) {
	p.header = headerSet{
		field(echo.HeaderContentType, p.ctype),
		field("ETag", p.etag),
		field(echo.HeaderLastModified, p.modified.UTC().Format(http.TimeFormat)),
		field(echo.HeaderCacheControl, cmp.Or(p.cacheControl, cacheControl)),
	}
	if p.surrogate != "" {
		// What the page shows, for a CDN or proxy that purges by key
		// (docs/CACHING.md): Fastly and Varnish xkey read the first,
		// Cloudflare the second.
		p.header = append(p.header, field("Surrogate-Key", p.surrogate), field("Cache-Tag", p.tags))
	}
}

// Header values a cached page's answer takes from a choice of two.
var (
	varyEncoding = field(echo.HeaderVary, echo.HeaderAcceptEncoding)
	gzipEncoding = field(echo.HeaderContentEncoding, "gzip")
)

// compress keeps a gzipped copy of pages worth compressing.
func (p *page) compress() {
	plain := *p.plain.Load()
	if p.gz != nil || len(plain) <= 512 {
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(buf)
	zw.Write(plain)
	zw.Close()
	gzipWriters.Put(zw)
	p.gz = bytes.Clone(buf.Bytes()) // exactly its size: the cache counts it
	p.gzLength = field(echo.HeaderContentLength, strconv.Itoa(len(p.gz))).value
}

// servePage writes a cached page, answering conditional requests with 304
// and gzip-capable clients with the compressed bytes.
func (s *Server) servePage(c echo.Context, p *page) error {
	status, n := s.writePage(c.Response(), c.Request(), p)
	c.Response().Status, c.Response().Size = status, int64(n)
	return nil
}

// writePage writes p's headers and, unless the request is conditional and
// p has not changed, its body. The header lines are p's prepared ones,
// assigned as they are: a hit allocates nothing for them.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, p *page) (status, n int) {
	h := w.Header()
	p.header.setIn(h)
	if v := h[varyEncoding.key]; v == nil {
		h[varyEncoding.key] = varyEncoding.value
	} else {
		h[varyEncoding.key] = append(v, echo.HeaderAcceptEncoding) // as Header.Add
	}
	if notModified(r, p) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified, 0
	}
	var body []byte
	if p.gz != nil && acceptsGzip(r) {
		h[gzipEncoding.key] = gzipEncoding.value
		h[echo.HeaderContentLength] = p.gzLength
		body = p.gz
	} else {
		h[echo.HeaderContentLength] = p.plainLength
		body = s.plainOf(p)
	}
	w.WriteHeader(http.StatusOK)
	n, _ = w.Write(body)
	return http.StatusOK, n
}

// serveCached answers a GET for a page in the render cache without going
// through Echo: the same headers and log line as the routed path, none of
// the routing. It reports whether it answered.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request) bool {
	s.syncCache(r.Context())
	p := s.cache.get(cacheKey(r), s.cfg.Now())
	if p == nil {
		s.cache.misses.Add(1)
		return false
	}
	s.cache.hits.Add(1)
	start := time.Now()
	id := s.begin(w.Header(), r)
	status, n := s.writePage(w, r, p)
	s.logRequest(r, id, status, int64(n), start)
	return true
}

// cacheKey is the page a GET asks for: its path and only the query
// parameters that page reads, in one order, empty ones dropped. Unknown
// parameters (tracking tags, cache busters) share the page without them.
func cacheKey(r *http.Request) string {
	path := r.URL.Path
	var params []string
	switch {
	case path == searchPath:
		params = searchParams
	case strings.HasPrefix(path, "/articles/"):
		if !strings.HasSuffix(path, ".xml") {
			params = articleParams
		}
	case path == "/", strings.HasPrefix(path, "/tags/"), strings.HasPrefix(path, "/sources/"), strings.HasPrefix(path, "/sections/"):
		if !strings.HasSuffix(path, ".xml") {
			params = pageParams
		}
	}
	if r.URL.RawQuery == "" || len(params) == 0 {
		return path
	}
	q := r.URL.Query()
	var b strings.Builder
	b.WriteString(path)
	sep := byte('?')
	for _, name := range params {
		if v := q.Get(name); v != "" {
			b.WriteByte(sep)
			b.WriteString(name)
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
			sep = '&'
		}
	}
	return b.String()
}

// The query parameters each reader page reads.
var (
	pageParams    = []string{"page"}
	articleParams = []string{"comment"} // the notice after posting a comment
	searchParams  = []string{"page", "q", "section", "source"}
)

func notModified(r *http.Request, p *page) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatch(inm, p.etag)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !p.modified.Truncate(time.Second).After(t)
	}
	return false
}

// etagMatch reports whether the If-None-Match list names etag (weak
// comparison, as RFC 9110 asks for GET).
func etagMatch(list, etag string) bool {
	for len(list) > 0 {
		var tag string
		list = trimLeftSpaceComma(list)
		if list == "" {
			break
		}
		if list[0] == '*' {
			return true
		}
		end := 0
		for end < len(list) && list[end] != ',' {
			end++
		}
		tag, list = trimSpace(list[:end]), list[end:]
		if len(tag) > 2 && tag[:2] == "W/" {
			tag = tag[2:]
		}
		if tag == etag {
			return true
		}
	}
	return false
}

func trimLeftSpaceComma(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == ',' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return trimLeftSpaceComma(s)
}
