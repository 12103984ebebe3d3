// Package changelog says which cache keys (news.StoryKey …) a store's
// write changes, and keeps them by the data version the write raised:
// the change log that the render cache and a purging CDN read
// (docs/CACHING.md). Both stores use it. The rules are here once; a store
// reads what they look at through a Reader, in its write transaction,
// and keeps the log's rows in its changes table.
package changelog

import (
	"context"
	"maps"
	"slices"

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

// Story is what the key rules read of a stored story.
type Story struct {
	ID, Cluster int64
	Status      string
	Trashed     bool
	// Section and Source are slugs (Section "" when it has none); Author
	// is the byline as stored.
	Section, Source, Author string
}

// Reader reads, inside a write's transaction, what the key rules look
// at. Each method is one query of the stored rows; ids and clusters are
// never empty.
type Reader interface {
	// StoryLists returns those of stories ids that exist.
	StoryLists(ctx context.Context, ids []int64) ([]Story, error)
	// TagSlugs returns the slugs of the tags of stories ids, each once.
	TagSlugs(ctx context.Context, ids []int64) ([]string, error)
	// RelatedBy returns the stories whose related lists hold one of ids.
	RelatedBy(ctx context.Context, ids []int64) ([]int64, error)
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
	if k.set == nil || len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		k.touched[id] = true
	}
	if len(k.touched) > StoriesMax {
		k.set = nil
		return nil
	}
	return k.listKeys(ctx, ids)
}

// Before adds what ch changes before it is applied: the stories it moves
// between clusters (their cards appear in lists or leave them) and the
// clusters they leave.
func (k *Keys) Before(ctx context.Context, ch store.Changes) error {
	moved := make([]int64, len(ch.Members))
	for i, m := range ch.Members {
		moved[i] = m.Story
	}
	if err := k.Touch(ctx, moved...); err != nil {
		return err
	}
	return k.changeKeys(ctx, ch)
}

// After adds what the touched stories are in once the write and ch are
// applied, the clusters they joined, and story:ID of every member of
// each cluster the write changed, whose cards name each other's sources.
func (k *Keys) After(ctx context.Context, ch store.Changes) error {
	if k.set != nil && len(k.touched) > 0 {
		if err := k.listKeys(ctx, slices.Sorted(maps.Keys(k.touched))); err != nil {
			return err
		}
	}
	if err := k.changeKeys(ctx, ch); err != nil {
		return err
	}
	return k.clusterKeys(ctx)
}

// listKeys adds story:ID of each story in ids, and for those listed (not
// drafts, not trashed) the keys of every list they are in, related:ID of
// the stories whose related lists hold them (they show them when they
// become visible), and their clusters, whose members' cards name them.
func (k *Keys) listKeys(ctx context.Context, ids []int64) error {
	stories, err := k.r.StoryLists(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		k.set.Add(news.StoryKey(id))
	}
	var listed []int64
	for _, x := range stories {
		k.clusters[x.Cluster] = true
		st := news.Story{Status: x.Status, Trashed: x.Trashed, Section: news.Section{Slug: x.Section},
			Source: news.Source{Slug: x.Source}, Author: x.Author}
		if st.Listed() {
			listed = append(listed, x.ID)
			k.set.Add(news.ListKeys(&st)...)
		}
	}
	if len(listed) == 0 {
		return nil
	}
	tags, err := k.r.TagSlugs(ctx, listed)
	if err != nil {
		return err
	}
	for _, t := range tags {
		k.set.Add(news.ListKey("tag", t))
	}
	by, err := k.r.RelatedBy(ctx, listed)
	if err != nil {
		return err
	}
	for _, id := range by {
		k.set.Add(news.RelatedKey(id))
	}
	return nil
}

// changeKeys adds the keys of what ch changes, applied or about to be:
// the related lists it rewrites, and the clusters it changes. The
// clusters of the stories it moves are looked up before (where they
// leave) and after (where they join).
func (k *Keys) changeKeys(ctx context.Context, ch store.Changes) error {
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
	if len(moved) == 0 {
		return nil
	}
	stories, err := k.r.StoryLists(ctx, moved)
	if err != nil {
		return err
	}
	for _, s := range stories {
		k.clusters[s.Cluster] = true
	}
	return nil
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
