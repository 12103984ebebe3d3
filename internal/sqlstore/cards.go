package sqlstore

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"newsdesk/internal/news"
)

// Cache keeps what the public lists read in memory, so that a list page
// costs few queries.
//
// Cards: the story cards lists show (CardColumns and the sources of the
// story's other versions), by story id. A list reads only the ids it
// shows and fills the cards from here, reading those it lacks in one
// query. They are bounded by bytes, least recently used first out.
//
// A card changes only with its story's cache key (news.StoryKey): a
// story's own write touches it, and a write that changes a cluster
// (members, lead, a version trashed or published) names story:ID of
// every member, whose cards name each other's sources. Renames of
// sources, sections and tags, and editors' cluster overrides, name no
// keys and change everything. Before each read, Cards applies the
// changes recorded since it last looked (the store's change log, which
// holds other processes' and nodes' writes too), as the render cache
// does.
//
// Lists: the ids of a page of Stories, and of a story's Related list,
// kept for one data version only (any write drops them all: a list is
// cheap to read again, and which lists a write changes is harder to say
// exactly than which cards), and only until the next scheduled story
// becomes visible.
type Cache struct {
	version func() int64
	changes func(since int64) news.Changes

	mu    sync.Mutex
	ll    *list.List // front is most recently used
	items map[int64]*list.Element
	size  int
	limit int
	// seen is the data version whose changes have been applied; recent
	// are the last changes applied, oldest first: a card read before one
	// of them is kept only if none touches it.
	seen   atomic.Int64
	recent []appliedCards
	syncMu sync.Mutex // one sync at a time

	hits, misses atomic.Int64

	// lists are the kept lists of each kind; next is the next time a
	// story becomes visible, as known at version next.version.
	listsMu sync.Mutex
	lists   [2]keptLists
	next    struct{ version, from, at int64 }
}

// The kinds of kept lists, kept apart so that article pages, read for
// every story, never push the front page's list out.
type listKind int

const (
	pages   listKind = iota // pages of Stories
	related                 // Related lists
)

// keptLists are lists of one data version, at, at most max of them.
type keptLists struct {
	at  int64
	max int
	m   map[string]keptList
}

// keptList is a page of a list's ids, read at data version and at time
// from, valid before expires (Unix seconds).
type keptList struct {
	version, from, expires int64
	ids                    []int64
	more                   bool // Stories: a further page exists
	close                  int  // Related: how many of ids, first, are close neighbours
}

// Bounds on the lists kept for one data version: pages of lists, and
// related lists, which an article page reads (about 200 bytes each).
const (
	listsKept   = 2048
	relatedKept = 16384
)

// appliedCards is one sync: the changes after data version from up to
// to, as the stories they touch (sorted).
type appliedCards struct {
	from, to int64
	stories  []int64
	all      bool
}

// CardCacheBytes is the memory a store's cache of cards may hold: about
// 7,000 cards of the synthetic corpus (1.2 kB each, measured on the Go
// heap, most of it the story's fields and its summary). A card costs
// about twice that in peak RSS, with the garbage collector's headroom:
// 8 MiB keeps serving 100k stories under 150 MB.
const CardCacheBytes = 8 << 20

// cardsRecentKept bounds Cards.recent: a read that spans more changes
// than this keeps nothing.
const cardsRecentKept = 64

// card is one kept card.
type card struct {
	s *news.Story
	// The card holds from read (Unix seconds) until expires, when a
	// scheduled version of the story's cluster becomes visible and the
	// card's "Also covered by" changes without a write (0: never). A
	// clock set back (tests) does not see it either.
	read, expires int64
	cost          int
}

// NewCache returns a cache with cards of at most limit bytes (an estimate)
// over a store whose data version is version and whose change log is
// changes.
func NewCache(limit int, version func() int64, changes func(since int64) news.Changes) *Cache {
	c := &Cache{version: version, changes: changes, ll: list.New(), items: map[int64]*list.Element{}, limit: limit,
		lists: [2]keptLists{pages: {max: listsKept}, related: {max: relatedKept}}}
	c.seen.Store(-1) // the first read starts from nothing
	return c
}

// CacheStats are the cache's counters.
type CacheStats struct {
	Hits, Misses int64
	Cards, Bytes int
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Cards: len(c.items), Bytes: c.size}
}

// sync applies the changes made since the cache last looked.
func (c *Cache) sync() {
	if c.version() == c.seen.Load() {
		return
	}
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	from := c.seen.Load()
	if c.version() == from {
		return
	}
	ch := news.Changes{Version: c.version(), All: true}
	if from >= 0 {
		ch = c.changes(from)
	}
	c.apply(from, ch)
}

// apply drops the cards that ch, the changes after version from, touches.
func (c *Cache) apply(from int64, ch news.Changes) {
	a := appliedCards{from: from, to: ch.Version, all: ch.All}
	for _, k := range ch.Keys {
		if k == news.KeyAll {
			a.all = true
			break
		}
		if id, ok := storyOfKey(k); ok {
			a.stories = append(a.stories, id)
		}
	}
	slices.Sort(a.stories)
	c.mu.Lock()
	defer c.mu.Unlock()
	if a.all {
		c.ll.Init()
		clear(c.items)
		c.size = 0
	} else {
		for _, id := range a.stories {
			if el, ok := c.items[id]; ok {
				c.remove(el)
			}
		}
	}
	if len(c.recent) == cardsRecentKept {
		c.recent = slices.Delete(c.recent, 0, 1)
	}
	c.recent = append(c.recent, a)
	c.seen.Store(ch.Version)
}

// storyOfKey returns the story a news.StoryKey names.
func storyOfKey(k string) (int64, bool) {
	rest, ok := strings.CutPrefix(k, "story:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}

// get returns the kept cards of ids (nil where none is kept, or it
// expired at now) and the ids it lacks.
func (c *Cache) get(ids []int64, now int64) (found []*card, missing []int64) {
	found = make([]*card, len(ids))
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, id := range ids {
		el, ok := c.items[id]
		if ok {
			k := el.Value.(*card)
			if now >= k.read && (k.expires == 0 || now < k.expires) {
				c.ll.MoveToFront(el)
				found[i] = k
				continue
			}
			c.remove(el)
		}
		missing = append(missing, id)
	}
	c.hits.Add(int64(len(ids) - len(missing)))
	c.misses.Add(int64(len(missing)))
	return found, missing
}

// put keeps cards read at data version v, unless a change applied since
// touches one: it may hold data from before that write. (A change not
// yet applied is applied later, and drops it if it touches it.)
func (c *Cache) put(cards []*card, v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range cards {
		if c.changedSince(v, k.s.ID) {
			continue
		}
		if el, ok := c.items[k.s.ID]; ok {
			c.remove(el)
		}
		k.cost = cardCost(k.s)
		if k.cost > c.limit {
			continue
		}
		c.items[k.s.ID] = c.ll.PushFront(k)
		c.size += k.cost
		for c.size > c.limit {
			c.remove(c.ll.Back())
		}
	}
}

// changedSince reports whether a change applied after version v may touch
// story id; true when the changes that far back are no longer known.
func (c *Cache) changedSince(v, id int64) bool {
	if v >= c.seen.Load() {
		return false
	}
	if len(c.recent) == 0 || c.recent[0].from > v {
		return true
	}
	for _, a := range c.recent {
		if a.to <= v {
			continue
		}
		if a.all {
			return true
		}
		if _, found := slices.BinarySearch(a.stories, id); found {
			return true
		}
	}
	return false
}

func (c *Cache) remove(el *list.Element) {
	k := c.ll.Remove(el).(*card)
	delete(c.items, k.s.ID)
	c.size -= k.cost
}

// cardCost estimates the bytes a kept card holds: the story, its
// strings, and its place in the list and the map.
func cardCost(s *news.Story) int {
	n := int(unsafe.Sizeof(*s)) + 224 + len(s.Slug) + len(s.Title) + len(s.Summary) +
		len(s.Source.Name) + len(s.Source.Slug) + len(s.Section.Name) + len(s.Section.Slug) +
		len(s.URL) + len(s.GUID) + len(s.Author) + len(s.Dateline) + len(s.ImageURL) + len(s.ImageAlt) +
		len(s.Image.ID) + len(s.ImageCaption) + len(s.ImageCredit) + len(s.Status)
	for _, p := range s.KeyPoints {
		n += len(p) + 16
	}
	for _, src := range s.AlsoCoveredBy {
		n += int(unsafe.Sizeof(src)) + len(src.Name) + len(src.Slug)
	}
	return n
}

// Cards returns the cards of stories ids, in that order, with the other
// sources of their clusters (AlsoCoveredBy): from the card cache when
// the store keeps one, the others read in one query (and one for their
// clusters' sources). An id with no story is left out. Each card is the
// caller's own copy.
func (r Reads) Cards(ctx context.Context, ids []int64) ([]*news.Story, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	now := r.now()
	c := r.Cache
	if c == nil {
		read, err := r.readCards(ctx, ids, now)
		if err != nil {
			return nil, err
		}
		return ordered(ids, nil, read), nil
	}
	c.sync()
	found, missing := c.get(ids, now)
	var read []*card
	if len(missing) > 0 {
		// The version before the read: a write it may not see is one
		// after it, which put or the next sync catches.
		v := c.version()
		var err error
		if read, err = r.readCards(ctx, missing, now); err != nil {
			return nil, err
		}
		c.put(read, v)
	}
	return ordered(ids, found, read), nil
}

// Hits returns the cards of search hits ids, in that order (Cards: from
// the card cache, with the other sources of their clusters), each with
// the first textLen characters of its plain text, which a snippet is cut
// from, read in one query.
func (r Reads) Hits(ctx context.Context, ids []int64, textLen int) ([]*news.Story, error) {
	list, err := r.Cards(ctx, ids)
	if err != nil || len(list) == 0 {
		return list, err
	}
	in, arg := r.Q.InIDs(ids)
	texts, err := queryMap(ctx, r.Q, func(row Row) (id int64, text string, err error) {
		return id, text, row.Scan(&id, &text)
	}, "SELECT id, substr(coalesce(body_text, ''), 1, ?) FROM stories WHERE id"+in, textLen, arg)
	if err != nil {
		return nil, fmt.Errorf("select texts of hits: %w", err)
	}
	for _, s := range list {
		s.Text = texts[s.ID]
	}
	return list, nil
}

// ordered returns copies of the cards of ids, in that order, from found
// (by position) or read.
func ordered(ids []int64, found []*card, read []*card) []*news.Story {
	byID := make(map[int64]*card, len(read))
	for _, k := range read {
		byID[k.s.ID] = k
	}
	out := make([]*news.Story, 0, len(ids))
	for i, id := range ids {
		var k *card
		if found != nil {
			k = found[i]
		}
		if k == nil {
			k = byID[id]
		}
		if k == nil {
			continue
		}
		s := *k.s
		s.KeyPoints = slices.Clip(s.KeyPoints)
		s.AlsoCoveredBy = slices.Clip(s.AlsoCoveredBy)
		out = append(out, &s)
	}
	return out
}

// keptCardColumns is CardColumns without the key points, which only an
// article shows (of its own story): a third of a card's memory.
var keptCardColumns = strings.Replace(CardColumns, "s.key_points", "'[]'", 1)

// hasOthers is a column of a story's row: whether its cluster has another
// version that is neither a draft nor trashed (the versions coverage
// reads), from the index of clusters.
var hasOthers = `EXISTS (SELECT 1 FROM stories o WHERE o.cluster_id = s.cluster_id AND o.id != s.id AND` +
	Listed("o") + `)`

// readCards reads the cards of stories ids, whatever their state (a
// list's query decides what it shows), with their clusters' other
// sources as visible at now: in one query, and one more when a story
// has other versions (most have none).
func (r Reads) readCards(ctx context.Context, ids []int64, now int64) ([]*card, error) {
	in, arg := r.Q.InIDs(ids)
	var covered []*news.Story
	list, err := QueryAll(ctx, r.Q, func(row Row) (*news.Story, error) {
		var others bool
		s, err := ScanStoryText(row, false, &others)
		if err == nil && others {
			covered = append(covered, s)
		}
		return s, err
	}, "SELECT "+keptCardColumns+", "+hasOthers+StoryFrom+" WHERE s.id"+in, arg)
	if err != nil {
		return nil, fmt.Errorf("select stories: %w", err)
	}
	expires, err := r.coverage(ctx, covered, now)
	if err != nil {
		return nil, err
	}
	cards := make([]*card, len(list))
	for i, s := range list {
		cards[i] = &card{s: s, read: now, expires: expires[s.ClusterID]}
	}
	return cards, nil
}

// storyIDs runs query, which selects story ids.
func (r Reads) storyIDs(ctx context.Context, query string, args ...any) ([]int64, error) {
	return ScanIDs(r.Q.Query(ctx, query, args...))
}

// list returns the list of kind kept under key, if one is kept for the
// current data version and still valid at now.
func (c *Cache) list(kind listKind, key string, now int64) (keptList, bool) {
	c.listsMu.Lock()
	defer c.listsMu.Unlock()
	l, ok := c.lists[kind].m[key]
	if !ok || l.version != c.version() || now < l.from || now >= l.expires {
		return keptList{}, false
	}
	return l, true
}

// putList keeps a list of kind read at data version l.version (read
// before the list), valid before l.expires.
func (c *Cache) putList(kind listKind, key string, l keptList) {
	c.listsMu.Lock()
	defer c.listsMu.Unlock()
	set := &c.lists[kind]
	if l.version != c.version() {
		return // a write came since: the next read reads it again
	}
	if set.at != l.version || len(set.m) >= set.max {
		set.m, set.at = map[string]keptList{}, l.version
	}
	set.m[key] = l
}

// keptOr returns the list of kind kept under key, else one read by read
// (which sets its ids, and more or close) and kept. The data version and
// expiry are read before the list, so that it may see a later write but
// never miss an earlier one.
func (r Reads) keptOr(ctx context.Context, kind listKind, key string, now int64, read func(*keptList) error) (keptList, error) {
	c := r.Cache
	if c != nil {
		if l, ok := c.list(kind, key, now); ok {
			return l, nil
		}
	}
	l := keptList{from: now, expires: math.MaxInt64}
	if c != nil {
		l.version = c.version()
		var err error
		if l.expires, err = r.nextVisible(ctx, l.version, now); err != nil {
			return l, err
		}
	}
	if err := read(&l); err != nil {
		return l, err
	}
	if c != nil {
		c.putList(kind, key, l)
	}
	return l, nil
}

// nextVisible returns when the next story that is not visible at now
// (scheduled, or dated in the future) becomes visible, as of data
// version v (read before it); math.MaxInt64 when none will.
func (r Reads) nextVisible(ctx context.Context, v, now int64) (int64, error) {
	c := r.Cache
	c.listsMu.Lock()
	next := c.next
	c.listsMu.Unlock()
	if next.version == v && next.from <= now && now < next.at {
		return next.at, nil
	}
	var at int64
	if err := r.Q.QueryRow(ctx, "SELECT coalesce(min(published_at), 0) FROM stories WHERE published_at > ? AND deleted_at IS NULL AND status != 'draft'",
		now).Scan(&at); err != nil {
		return 0, fmt.Errorf("select next story to publish: %w", err)
	}
	if at == 0 {
		at = math.MaxInt64
	}
	c.listsMu.Lock()
	c.next.version, c.next.from, c.next.at = v, now, at
	c.listsMu.Unlock()
	return at, nil
}

// listKey is the key of a page of f's list.
func listKey(f news.StoryFilter) string {
	return fmt.Sprintf("%q %q %q %q %d %d", f.TagSlug, f.SourceSlug, f.SectionSlug, f.Authors, f.Page.Number, f.Page.Size)
}
