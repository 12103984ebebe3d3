package sqlite

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

// What a write changed, as cache keys (news.StoryKey …), for the change
// log: the pages showing one of them are thrown away, by every server's
// render cache and by a CDN purging by key. The stories a write stores are
// looked at before and after it: the lists a story leaves change as much
// as the ones it joins.

// keyedStoriesMax bounds the stories whose keys a write works out: a
// larger batch (an import) changes nearly every list anyway, and changes
// everything.
const keyedStoriesMax = 200

// touch records that the transaction writes stories ids: their keys and
// those of the lists they are in now, before the write; storyTx adds what
// they are in after it.
func (w *writer) touch(ctx context.Context, ids ...int64) error {
	if w.keys == nil || len(ids) == 0 {
		return nil
	}
	if w.touched == nil {
		w.touched = map[int64]bool{}
	}
	for _, id := range ids {
		w.touched[id] = true
	}
	if len(w.touched) > keyedStoriesMax {
		w.keys = nil // everything
		return nil
	}
	return w.listKeys(ctx, ids)
}

// listKeys adds story:ID of each story in ids, and for those listed (not
// drafts, not trashed) the keys of every list they are in, related:ID of
// the stories whose related lists hold them (they show them when they
// become visible), and their clusters, whose members' cards name them.
func (w *writer) listKeys(ctx context.Context, ids []int64) error {
	type row struct {
		id, cluster         int64
		status              string
		trashed             bool
		section, src, autor string
	}
	rows, err := w.query(ctx, `SELECT s.id, s.cluster_id, s.status, s.deleted_at IS NOT NULL, coalesce(sec.slug, ''), src.slug, s.author
		FROM stories s JOIN sources src ON src.id = s.source_id LEFT JOIN sections sec ON sec.id = s.section_id
		WHERE s.id IN `+jsonIDs, idList(ids))
	list, err := scanAll(rows, err, func(r scanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.cluster, &x.status, &x.trashed, &x.section, &x.src, &x.autor)
	})
	if err != nil {
		return fmt.Errorf("keys of stories: %w", err)
	}
	var listed []int64
	for _, id := range ids {
		w.keys.Add(news.StoryKey(id))
	}
	if w.clusters == nil {
		w.clusters = map[int64]bool{}
	}
	for _, x := range list {
		w.clusters[x.cluster] = true
		st := news.Story{Status: x.status, Trashed: x.trashed, Section: news.Section{Slug: x.section},
			Source: news.Source{Slug: x.src}, Author: x.autor}
		if st.Listed() {
			listed = append(listed, x.id)
			w.keys.Add(news.ListKeys(&st)...)
		}
	}
	if len(listed) == 0 {
		return nil
	}
	tags, err := scanStrings(w.query(ctx, `SELECT DISTINCT t.slug FROM story_tags st JOIN tags t ON t.id = st.tag_id
		WHERE st.story_id IN `+jsonIDs, idList(listed)))
	if err != nil {
		return fmt.Errorf("keys of tags: %w", err)
	}
	for _, t := range tags {
		w.keys.Add(news.ListKey("tag", t))
	}
	by, err := scanIDs(w.query(ctx, "SELECT DISTINCT story_id FROM story_related WHERE related_id IN "+jsonIDs, idList(listed)))
	if err != nil {
		return err
	}
	for _, id := range by {
		w.keys.Add(news.RelatedKey(id))
	}
	return nil
}

// changeKeys adds the keys of what ch changes, applied or about to be:
// the related lists it rewrites, and the clusters it changes, whose
// members' cards name each other's sources. The clusters of the stories
// it moves are looked up before (where they leave) and after (where they
// join).
func (w *writer) changeKeys(ctx context.Context, ch store.Changes) error {
	if w.keys == nil {
		return nil
	}
	for id := range ch.Lists {
		w.keys.Add(news.RelatedKey(id))
	}
	for _, c := range ch.NewClusters {
		w.clusters[c.ID] = true
	}
	for c := range ch.Leads {
		w.clusters[c] = true
	}
	for _, c := range ch.Dropped {
		w.clusters[c] = true
	}
	moved := slices.Collect(maps.Keys(ch.Ranks))
	for _, m := range ch.Members {
		moved = append(moved, m.Story)
		w.clusters[m.Cluster] = true
	}
	for _, s := range ch.Reindexed {
		moved = append(moved, s.Story.ID) // trashed, restored, published: in or out of view
	}
	if len(moved) == 0 {
		return nil
	}
	clusters, err := scanIDs(w.query(ctx, "SELECT DISTINCT cluster_id FROM stories WHERE id IN "+jsonIDs, idList(moved)))
	if err != nil {
		return err
	}
	for _, c := range clusters {
		w.clusters[c] = true
	}
	return nil
}

// clusterKeys adds story:ID of every member of the clusters the write
// changed.
func (w *writer) clusterKeys(ctx context.Context) error {
	if w.keys == nil || len(w.clusters) == 0 {
		return nil
	}
	members, err := scanIDs(w.query(ctx, "SELECT id FROM stories WHERE cluster_id IN "+jsonIDs, idList(slices.Sorted(maps.Keys(w.clusters)))))
	if err != nil {
		return err
	}
	if len(members) > keyedStoriesMax*4 {
		w.keys = nil
		return nil
	}
	for _, id := range members {
		w.keys.Add(news.StoryKey(id))
	}
	return nil
}
