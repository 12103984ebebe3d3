package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"newsdesk/internal/news"
)

// The story reads of the public pages both stores make alike.

func (r Reads) now() int64 { return Unix(r.Now()) }

// queryStories runs query, which selects StoryColumns or CardColumns.
func (r Reads) queryStories(ctx context.Context, query string, args ...any) ([]*news.Story, error) {
	list, err := QueryAll(ctx, r.Q, ScanStory, query, args...)
	if err != nil {
		return nil, fmt.Errorf("select stories: %w", err)
	}
	return list, nil
}

// StoryBySlug returns the visible story with the given slug, with its tags.
func (r Reads) StoryBySlug(ctx context.Context, slug string) (*news.Story, error) {
	s, err := ScanStory(r.Q.QueryRow(ctx, "SELECT "+StoryColumns+StoryFrom+" WHERE s.slug = ? AND"+Visible, slug, r.now()))
	if err != nil {
		return nil, NotFound(err, "Story %q not found.", slug)
	}
	if s.Tags, err = ScanTags(r.Q.Query(ctx, TagsOfStory, s.ID)); err != nil {
		return nil, err
	}
	if s.RevisedAt, err = r.revisedAt(ctx, s.ID); err != nil {
		return nil, err
	}
	return s, nil
}

// revisedAt returns when readers last saw story id change, or the zero
// time when they never did.
func (r Reads) revisedAt(ctx context.Context, id int64) (time.Time, error) {
	var t int64
	err := r.Q.QueryRow(ctx, "SELECT coalesce(revised_at, 0) FROM story_edits WHERE story_id = ?", id).Scan(&t)
	if err != nil && !noRows(err) {
		return time.Time{}, fmt.Errorf("select revision time of story %d: %w", id, err)
	}
	if t == 0 {
		return time.Time{}, nil
	}
	return FromUnix(t), nil
}

// FillCoverage sets AlsoCoveredBy on each story of list: the sources of
// the other visible versions in its cluster, best-ranked first. One query
// for the whole list.
func (r Reads) FillCoverage(ctx context.Context, list []*news.Story) error {
	if len(list) == 0 {
		return nil
	}
	clusters := make([]int64, 0, len(list))
	for _, s := range list {
		clusters = append(clusters, s.ClusterID)
	}
	type version struct {
		cluster, story int64
		src            news.Source
	}
	in, arg := r.Q.InIDs(clusters)
	versions, err := QueryAll(ctx, r.Q, func(row Row) (version, error) {
		var v version
		return v, row.Scan(&v.cluster, &v.story, &v.src.ID, &v.src.Name, &v.src.Slug)
	}, `SELECT s.cluster_id, s.id, src.id, src.name, src.slug FROM stories s JOIN sources src ON src.id = s.source_id
		WHERE s.cluster_id`+in+` AND`+Visible+` ORDER BY s.cluster_id, s.cluster_rank, s.id`, arg, r.now())
	if err != nil {
		return err
	}
	byCluster := map[int64][]version{}
	for _, v := range versions {
		byCluster[v.cluster] = append(byCluster[v.cluster], v)
	}
	for _, s := range list {
		s.AlsoCoveredBy = nil
		seen := map[int64]bool{s.Source.ID: true}
		for _, v := range byCluster[s.ClusterID] {
			if v.story != s.ID && !seen[v.src.ID] {
				seen[v.src.ID] = true
				s.AlsoCoveredBy = append(s.AlsoCoveredBy, v.src)
			}
		}
	}
	return nil
}

// Related returns the stories shown beside story id, best first: one card
// per story cluster (its lead), never the story's own cluster, each with
// the other sources carrying it. A story with fewer close neighbours than
// limit gets recent stories of its section, then of its tags, after them;
// one with none of those gets the latest stories.
func (r Reads) Related(ctx context.Context, id int64, limit int) ([]news.Related, error) {
	now := r.now()
	var cluster int64
	var section sql.NullInt64
	if err := r.Q.QueryRow(ctx, "SELECT cluster_id, section_id FROM stories WHERE id = ?", id).Scan(&cluster, &section); err != nil {
		return nil, NotFound(err, "Story %d not found.", id)
	}
	// A listed story stands for its cluster, shown by the cluster's lead;
	// a cluster listed twice (a copy that joined after the list was
	// made) shows once.
	near, err := r.queryStories(ctx, "SELECT "+CardColumns+StoryFrom+
		" JOIN stories rm ON rm.cluster_id = s.cluster_id JOIN story_related r ON r.related_id = rm.id"+
		" WHERE r.story_id = ? AND s.cluster_id != ? AND"+VisibleCard+" ORDER BY r.position", id, cluster, now, now)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{cluster: true}
	var list []*news.Story
	keep := func(more []*news.Story) {
		for _, s := range more {
			if len(list) < limit && !seen[s.ClusterID] {
				seen[s.ClusterID] = true
				list = append(list, s)
			}
		}
	}
	keep(near)
	close := len(list)
	if len(list) < limit && section.Valid {
		recent, err := r.queryStories(ctx, "SELECT "+CardColumns+StoryFrom+" WHERE s.section_id = ? AND s.cluster_id != ? AND"+
			VisibleCard+" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", section.Int64, cluster, now, now, 2*limit)
		if err != nil {
			return nil, err
		}
		keep(recent)
	}
	if len(list) < limit {
		recent, err := r.queryStories(ctx, "SELECT "+CardColumns+StoryFrom+` WHERE s.id IN (SELECT st.story_id FROM story_tags st
			WHERE st.tag_id IN (SELECT tag_id FROM story_tags WHERE story_id = ?) ORDER BY st.published_at DESC LIMIT ?)
			AND s.cluster_id != ? AND`+VisibleCard+" ORDER BY s.published_at DESC, s.id DESC", id, 4*limit, cluster, now, now)
		if err != nil {
			return nil, err
		}
		keep(recent)
	}
	if len(list) == 0 {
		// A story with no section and tags of its own: the latest stories,
		// so that an article page never has an empty list. Only then: a
		// list with some neighbours is not padded with unrelated stories.
		recent, err := r.queryStories(ctx, "SELECT "+CardColumns+StoryFrom+" WHERE s.cluster_id != ? AND"+
			VisibleCard+" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", cluster, now, now, 2*limit)
		if err != nil {
			return nil, err
		}
		keep(recent)
	}
	if err := r.FillCoverage(ctx, list); err != nil {
		return nil, err
	}
	out := make([]news.Related, len(list))
	for i, s := range list {
		out[i] = news.Related{Story: s, AlsoCoveredBy: s.AlsoCoveredBy, Nearby: i >= close}
	}
	return out, nil
}

// CopyStories returns the visible stories of s's cluster other than s.
func (r Reads) CopyStories(ctx context.Context, s *news.Story) ([]*news.Story, error) {
	return r.queryStories(ctx, "SELECT "+CardColumns+StoryFrom+
		" WHERE s.cluster_id = ? AND s.id != ? AND"+Visible+" ORDER BY s.published_at", s.ClusterID, s.ID, r.now())
}

// StoryCount returns the number of stories stored, in any state.
func (r Reads) StoryCount(ctx context.Context) (int, error) {
	var n int
	if err := r.Q.QueryRow(ctx, "SELECT count(*) FROM stories").Scan(&n); err != nil {
		return 0, fmt.Errorf("count stories: %w", err)
	}
	return n, nil
}
