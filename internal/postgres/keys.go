package postgres

import (
	"context"
	"fmt"

	"newsdesk/internal/changelog"
)

// What a write changed, as cache keys, is worked out by
// internal/changelog (tx.keys); these are the reads its rules make, in
// the write's transaction (changelog.Reader).

// StoryLists returns what the key rules read of stories ids.
func (w *tx) StoryLists(ctx context.Context, ids []int64) ([]changelog.Story, error) {
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	list, err := queryAll(ctx, w.Tx, func(r scanner) (changelog.Story, error) {
		var x changelog.Story
		return x, r.Scan(&x.ID, &x.Cluster, &x.Status, &x.Trashed, &x.Section, &x.Source, &x.Author, &x.Tags, &x.RelatedBy)
	}, `SELECT s.id, s.cluster_id, s.status, s.deleted_at IS NOT NULL, coalesce(sec.slug, ''), src.slug, s.author,
			coalesce((SELECT string_agg(t.slug, ' ') FROM story_tags st JOIN tags t ON t.id = st.tag_id WHERE st.story_id = s.id), ''),
			coalesce((SELECT string_agg(r.story_id::text, ' ') FROM story_related r WHERE r.related_id = s.id), '')
		FROM stories s JOIN sources src ON src.id = s.source_id LEFT JOIN sections sec ON sec.id = s.section_id
		WHERE s.id = ANY(?)`, ids)
	if err != nil {
		return nil, fmt.Errorf("keys of stories: %w", err)
	}
	return list, nil
}

// Members returns the stories in clusters.
func (w *tx) Members(ctx context.Context, clusters []int64) ([]int64, error) {
	return w.queryIDs(ctx, "SELECT id FROM stories WHERE cluster_id = ANY(?)", clusters)
}
