// Package changelog says which cache keys (news.StoryKey …) a store's
// write changes, and keeps them by the data version the write raised:
// the change log that the render cache and a purging CDN read
// (docs/CACHING.md). Both stores use it. The rules are here once; a store
// reads what they look at through a Reader, in its write transaction,
// and keeps the log's rows in its changes table.
package changelog

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

// What a write changed, as cache keys: the pages showing one of them are
// thrown away, by every server's render cache and by a CDN purging by
// key. The stories a write stores are looked at before and after it: the
// lists a story leaves change as much as the ones it joins.

const (
	// StoriesMax bounds the stories whose keys a write works out: a
	// larger batch (an import) changes nearly every list anyway, and
	// changes everything.
	StoriesMax = 200
	// KeysMax bounds the keys recorded for one write: past it, the write
	// changes everything.
	KeysMax = 20000
)

// Story is what the key rules read of a stored story: where it is
// listed, and who shows it.
type Story struct {
	ID, Cluster int64
	Status      string
	Trashed     bool
	// Section and Source are slugs (Section "" when it has none); Author
	// is the byline as stored.
	Section, Source, Author string
	// Tags are the slugs of its tags, RelatedBy the ids of the stories
	// whose related lists hold it; each separated by spaces.
	Tags, RelatedBy string
}

// Reader reads, inside a write's transaction, what the key rules look
// at. Each method is one query (one round trip to a server); ids and
// clusters are never empty.
type Reader interface {
	// StoryLists returns those of stories ids that exist.
	StoryLists(ctx context.Context, ids []int64) ([]Story, error)
	// Members returns the stories in clusters.
	Members(ctx context.Context, clusters []int64) ([]int64, error)
}

// Keys collects the keys one write transaction changes, reading through
// r. A write that names no keys changes everything.
type Keys struct {
	r   Reader
	set news.KeySet // nil: everything
	// touched are the stories the write stores, clusters the clusters it
	// changes.
	touched  map[int64]bool
	clusters map[int64]bool
}

// New returns the keys of a write that reads through r.
func New(r Reader) *Keys {
	return &Keys{r: r, set: news.KeySet{}, touched: map[int64]bool{}, clusters: map[int64]bool{}}
}

// Add adds keys the write changes (a comment's story).
func (k *Keys) Add(keys ...string) {
	if k.set != nil {
		k.set.Add(keys...)
	}
}

// All says the write changes everything: what no key names (an editor's
// cluster override).
func (k *Keys) All() { k.set = nil }

// List returns the keys the write changed, sorted; news.KeyAll alone
// when it changed everything, named none, or named more than KeysMax.
func (k *Keys) List() []string {
	if len(k.set) == 0 || len(k.set) > KeysMax {
		return []string{news.KeyAll}
	}
	return k.set.Sorted()
}

// Touch records that the write stores stories ids: their keys and those
// of the lists they are in now, before the write. After adds what they
// are in after it.
func (k *Keys) Touch(ctx context.Context, ids ...int64) error {
	return k.look(ctx, k.touch(ids), nil)
}

// touch marks ids touched and returns those that were not yet: what they
// were in before the write is known for the others.
func (k *Keys) touch(ids []int64) []int64 {
	if k.set == nil {
		return nil
	}
	var fresh []int64
	for _, id := range ids {
		if !k.touched[id] {
			k.touched[id] = true
			fresh = append(fresh, id)
		}
	}
	if len(k.touched) > StoriesMax {
		k.set = nil
		return nil
	}
	return fresh
}

// Before adds what ch changes before it is applied: the stories it moves
// between clusters (their cards appear in lists or leave them, so they
// are touched) and the clusters they and the stories it ranks or
// reindexes are in.
func (k *Keys) Before(ctx context.Context, ch store.Changes) error {
	moved := make([]int64, len(ch.Members))
	for i, m := range ch.Members {
		moved[i] = m.Story
	}
	full := k.touch(moved)
	return k.look(ctx, full, k.changeKeys(ch))
}

// After adds what the touched stories are in once the write and ch are
// applied, the clusters they and the stories ch moves joined, and
// story:ID of every member of each cluster the write changed, whose
// cards name each other's sources.
func (k *Keys) After(ctx context.Context, ch store.Changes) error {
	if err := k.look(ctx, slices.Sorted(maps.Keys(k.touched)), k.changeKeys(ch)); err != nil {
		return err
	}
	return k.clusterKeys(ctx)
}

// look reads stories full and others in one query, and adds story:ID
// of each story in full and, for those listed (not drafts, not trashed),
// the keys of every list they are in and related:ID of the stories whose
// related lists hold them (they show them when they become visible); and
// the clusters of all of them, whose members' cards name them.
func (k *Keys) look(ctx context.Context, full, others []int64) error {
	if k.set == nil || len(full)+len(others) == 0 {
		return nil
	}
	stories, err := k.r.StoryLists(ctx, append(slices.Clone(full), others...))
	if err != nil {
		return err
	}
	for _, id := range full {
		k.set.Add(news.StoryKey(id))
	}
	for _, x := range stories {
		if x.Cluster != 0 { // 0: not placed yet (an import's story, before its changes)
			k.clusters[x.Cluster] = true
		}
		st := news.Story{Status: x.Status, Trashed: x.Trashed, Section: news.Section{Slug: x.Section},
			Source: news.Source{Slug: x.Source}, Author: x.Author}
		if !slices.Contains(full, x.ID) || !st.Listed() {
			continue
		}
		for _, slug := range strings.Fields(x.Tags) {
			st.Tags = append(st.Tags, news.Tag{Slug: slug})
		}
		k.set.Add(news.ListKeys(&st)...)
		for _, f := range strings.Fields(x.RelatedBy) {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return fmt.Errorf("keys of story %d: related by %q: %w", x.ID, f, err)
			}
			k.set.Add(news.RelatedKey(id))
		}
	}
	return nil
}

// changeKeys adds the keys of what ch changes, applied or about to be:
// the related lists it rewrites and the clusters it names; it returns
// the stories it moves, whose clusters change too, to be looked up
// before (where they leave) and after (where they join).
func (k *Keys) changeKeys(ch store.Changes) []int64 {
	if k.set == nil {
		return nil
	}
	for id := range ch.Lists {
		k.set.Add(news.RelatedKey(id))
	}
	for _, c := range ch.NewClusters {
		k.clusters[c.ID] = true
	}
	for c := range ch.Leads {
		k.clusters[c] = true
	}
	for _, c := range ch.Dropped {
		k.clusters[c] = true
	}
	moved := slices.Collect(maps.Keys(ch.Ranks))
	for _, m := range ch.Members {
		moved = append(moved, m.Story)
		k.clusters[m.Cluster] = true
	}
	for _, s := range ch.Reindexed {
		moved = append(moved, s.Story.ID) // trashed, restored, published: in or out of view
	}
	return moved
}

// clusterKeys adds story:ID of every member of the clusters the write
// changed.
func (k *Keys) clusterKeys(ctx context.Context) error {
	if k.set == nil || len(k.clusters) == 0 {
		return nil
	}
	members, err := k.r.Members(ctx, slices.Sorted(maps.Keys(k.clusters)))
	if err != nil {
		return err
	}
	if len(members) > StoriesMax*4 {
		k.set = nil
		return nil
	}
	for _, id := range members {
		k.set.Add(news.StoryKey(id))
	}
	return nil
}
