package sqlite

import (
	"context"
	"fmt"

	"newsdesk/internal/changelog"
)

// What a write changed, as cache keys, is worked out by
// internal/changelog (writer.keys); these are the reads its rules make,
// in the write's transaction (changelog.Reader).

// StoryLists returns what the key rules read of stories ids.
func (w *writer) StoryLists(ctx context.Context, ids []int64) ([]changelog.Story, error) {
	rows, err := w.query(ctx, `SELECT s.id, s.cluster_id, s.status, s.deleted_at IS NOT NULL, coalesce(sec.slug, ''), src.slug, s.author,
			coalesce((SELECT group_concat(t.slug, ' ') FROM story_tags st JOIN tags t ON t.id = st.tag_id WHERE st.story_id = s.id), ''),
			coalesce((SELECT group_concat(r.story_id, ' ') FROM story_related r WHERE r.related_id = s.id), '')
		FROM stories s JOIN sources src ON src.id = s.source_id LEFT JOIN sections sec ON sec.id = s.section_id
		WHERE s.id IN `+jsonIDs, idList(ids))
	list, err := scanAll(rows, err, func(r scanner) (changelog.Story, error) {
		var x changelog.Story
		return x, r.Scan(&x.ID, &x.Cluster, &x.Status, &x.Trashed, &x.Section, &x.Source, &x.Author, &x.Tags, &x.RelatedBy)
	})
	if err != nil {
		return nil, fmt.Errorf("keys of stories: %w", err)
	}
	return list, nil
}

// Members returns the stories in clusters.
func (w *writer) Members(ctx context.Context, clusters []int64) ([]int64, error) {
	return scanIDs(w.query(ctx, "SELECT id FROM stories WHERE cluster_id IN "+jsonIDs, idList(clusters)))
}
