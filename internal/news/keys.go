package news

import (
	"slices"
	"strconv"
)

// Cache keys name what a reader page shows, so that a write can say what
// it changed and only the pages showing that are thrown away: by the
// render cache, and by a CDN or proxy purging by the Surrogate-Key and
// Cache-Tag headers the pages carry. The scheme (docs/CACHING.md):
//
//	story:ID       story ID itself: its article, and its card, related
//	               entry, copy or version on any page
//	related:ID     the related list of story ID (its article, coverage
//	               page and follow feed)
//	front          the list of all stories: the front page and its pages,
//	               its section blocks and trending tags, /feed.xml
//	section:SLUG   one section's list and feed; likewise tag:SLUG,
//	source:SLUG    source:SLUG and author:SLUG
//	search         search results
//	sitemap        the sitemaps and the news sitemap
//
// A write changing a story's fields changes story:ID; one that adds it
// to lists, takes it out of them or moves it in them (publishing,
// trashing, a new publish time or section) changes those lists' keys too,
// before and after. A change of a cluster changes story:ID of each of its
// members: their cards name the other sources. What no key names (a
// rename, the time zone, comment rules) changes everything: KeyAll.
const (
	KeyFront   = "front"
	KeySearch  = "search"
	KeySitemap = "sitemap"
	// KeyAll stands for every page: a change that names it changes all.
	KeyAll = "*"
)

// StoryKey is the cache key of story id itself.
func StoryKey(id int64) string { return "story:" + strconv.FormatInt(id, 10) }

// RelatedKey is the cache key of story id's related list.
func RelatedKey(id int64) string { return "related:" + strconv.FormatInt(id, 10) }

// ListKey is the cache key of the list of a section, tag, source or
// author ("section", "tag", "source", "author") with the given slug.
func ListKey(kind, slug string) string { return kind + ":" + slug }

// ListKeys returns the keys of every list s is in: the front page, search,
// the sitemaps, and its section, tags, source and author. Slugs must be
// set (a source's or section's slug as stored).
func ListKeys(s *Story) []string {
	keys := []string{KeyFront, KeySearch, KeySitemap}
	if s.Section.Slug != "" {
		keys = append(keys, ListKey("section", s.Section.Slug))
	}
	if s.Source.Slug != "" {
		keys = append(keys, ListKey("source", s.Source.Slug))
	}
	if a := Slugify(s.Author); a != "" {
		keys = append(keys, ListKey("author", a))
	}
	for _, t := range s.Tags {
		keys = append(keys, ListKey("tag", t.Slug))
	}
	return keys
}

// Listed reports whether s is in reader lists, now or when its time
// comes: not a draft and not in the trash.
func (s *Story) Listed() bool { return s.Status != StatusDraft && !s.Trashed }

// Changes are what the writes between two data versions changed, as
// cache keys.
type Changes struct {
	// Version is the data version the changes bring a reader to.
	Version int64
	// Keys are the keys changed, sorted, without repeats.
	Keys []string
	// All says every page may have changed: a write named KeyAll, or the
	// changes are no longer known (too long ago, or written by a program
	// that does not record them).
	All bool
}

// KeySet collects the keys one write changes.
type KeySet map[string]struct{}

// Add adds keys to the set.
func (k KeySet) Add(keys ...string) {
	for _, key := range keys {
		k[key] = struct{}{}
	}
}

// Sorted returns the keys in order.
func (k KeySet) Sorted() []string {
	out := make([]string, 0, len(k))
	for key := range k {
		out = append(out, key)
	}
	slices.Sort(out)
	return out
}
