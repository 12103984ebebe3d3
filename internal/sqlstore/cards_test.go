package sqlstore

import (
	"strconv"
	"testing"

	"newsdesk/internal/news"
)

// fakeLog is a store's data version and change log, in memory.
type fakeLog struct {
	version int64
	keys    map[int64][]string // what each version changed
}

func (l *fakeLog) write(keys ...string) {
	l.version++
	l.keys[l.version] = keys
}

func (l *fakeLog) changes(since int64) news.Changes {
	ch := news.Changes{Version: l.version}
	for v := since + 1; v <= l.version; v++ {
		ch.Keys = append(ch.Keys, l.keys[v]...)
	}
	return ch
}

func testCard(id int64, title string) *card {
	return &card{s: &news.Story{ID: id, Title: title}}
}

func kept(c *Cache, id int64) string {
	found, _ := c.get([]int64{id}, 0)
	if found[0] == nil {
		return ""
	}
	return found[0].s.Title
}

// A card read before a write that changed it, and kept only after the
// write was applied, is not kept: it may hold the data from before.
func TestCacheKeepsNoCardReadBeforeAWriteToIt(t *testing.T) {
	log := &fakeLog{version: 5, keys: map[int64][]string{}}
	c := NewCache(1<<20, func() int64 { return log.version }, log.changes)
	c.sync()
	read := c.version() // a read begins
	log.write(news.StoryKey(1), news.KeyFront)
	c.sync() // another request applies the write
	c.put([]*card{testCard(1, "old"), testCard(2, "untouched")}, read)
	if got := kept(c, 1); got != "" {
		t.Errorf("card 1, read before the write to it, is kept (%q)", got)
	}
	if got := kept(c, 2); got != "untouched" {
		t.Errorf("card 2 = %q, want it kept: the write did not touch it", got)
	}

	// A kept card goes with a write to its story, and with one that
	// changes everything.
	c.put([]*card{testCard(1, "new")}, c.version())
	log.write(news.StoryKey(2))
	c.sync()
	if kept(c, 2) != "" || kept(c, 1) != "new" {
		t.Errorf("after story:2 changed: card 1 %q (want new), card 2 %q (want none)", kept(c, 1), kept(c, 2))
	}
	read = c.version()
	log.write(news.KeyAll)
	c.sync()
	if kept(c, 1) != "" {
		t.Error("card 1 kept after a write that changed everything")
	}
	c.put([]*card{testCard(3, "during")}, read)
	if kept(c, 3) != "" {
		t.Error("card 3, read before a write that changed everything, is kept")
	}

	// A read older than the changes the cache remembers keeps nothing.
	read = c.version()
	for range cardsRecentKept + 1 {
		log.write(news.StoryKey(99))
		c.sync()
	}
	c.put([]*card{testCard(4, "ancient")}, read)
	if kept(c, 4) != "" {
		t.Error("card 4, read before changes no longer remembered, is kept")
	}
}

// Lists are kept for the data version they were read at only.
func TestCacheListsLastOneVersion(t *testing.T) {
	log := &fakeLog{version: 1, keys: map[int64][]string{}}
	c := NewCache(1<<20, func() int64 { return log.version }, log.changes)
	read := c.version()
	log.write(news.StoryKey(7))
	c.putList(pages, "front", keptList{version: read, expires: 100, ids: []int64{1}})
	if _, ok := c.list(pages, "front", 0); ok {
		t.Error("a list read before a write is kept")
	}
	c.putList(pages, "front", keptList{version: c.version(), expires: 100, ids: []int64{1}})
	if _, ok := c.list(pages, "front", 0); !ok {
		t.Error("a list of the current version is not kept")
	}
	if _, ok := c.list(pages, "front", 100); ok {
		t.Error("a list is served when a scheduled story has become visible")
	}
	log.write(news.StoryKey(8))
	if _, ok := c.list(pages, "front", 0); ok {
		t.Error("a list is served after a write")
	}
}

// The cards held stay within the cache's bytes.
func TestCacheBoundedByBytes(t *testing.T) {
	log := &fakeLog{keys: map[int64][]string{}}
	c := NewCache(64<<10, func() int64 { return log.version }, log.changes)
	c.sync()
	for id := range int64(1000) {
		c.put([]*card{testCard(id, "a title of some length")}, c.version())
	}
	st := c.Stats()
	if st.Bytes > 64<<10 || st.Cards == 0 || st.Cards >= 1000 {
		t.Errorf("after 1,000 cards: %d cards, %d bytes; want some, within %d bytes", st.Cards, st.Bytes, 64<<10)
	}
	if kept(c, 999) == "" || kept(c, 0) != "" {
		t.Error("the least recently used card should go first")
	}
}

// Related lists are kept apart from the pages of lists: an article page
// read for every story never pushes out the front page's list.
func TestCacheRelatedListsApart(t *testing.T) {
	log := &fakeLog{version: 1, keys: map[int64][]string{}}
	c := NewCache(1<<20, func() int64 { return log.version }, log.changes)
	c.putList(pages, "front", keptList{version: c.version(), expires: 100, ids: []int64{1}})
	for id := range relatedKept + 1 {
		c.putList(related, strconv.Itoa(id)+" 6", keptList{version: c.version(), expires: 100, ids: []int64{int64(id)}, close: 1})
	}
	if _, ok := c.list(pages, "front", 0); !ok {
		t.Error("related lists pushed out the front page's list")
	}
	if l, ok := c.list(related, strconv.Itoa(relatedKept)+" 6", 0); !ok || l.close != 1 || l.ids[0] != relatedKept {
		t.Errorf("the last related list kept = %+v, %v", l, ok)
	}
	if _, ok := c.list(related, "0 6", 0); ok {
		t.Errorf("more than %d related lists kept", relatedKept)
	}
}
