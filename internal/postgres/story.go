package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// The column list, joins and visibility rules every story read is
// written with, and its scan: sqlstore's, by shorter names.
const (
	storyColumns = sqlstore.StoryColumns
	storyFrom    = sqlstore.StoryFrom
	visible      = sqlstore.Visible
	tagsOfStory  = sqlstore.TagsOfStory
)

var (
	cardColumns   = sqlstore.CardColumns
	visibleCard   = sqlstore.VisibleCard
	firstOf       = sqlstore.FirstOf
	scanStory     = sqlstore.ScanStory
	scanStoryText = sqlstore.ScanStoryText
)

func (db *DB) queryStories(ctx context.Context, query string, args ...any) ([]*news.Story, error) {
	return queryStoriesText(ctx, db.pool, false, query, args...)
}

// queryStoriesText is queryStories on q, reading the text too when withText.
func queryStoriesText(ctx context.Context, q querier, withText bool, query string, args ...any) ([]*news.Story, error) {
	list, err := queryAll(ctx, q, func(row scanner) (*news.Story, error) { return scanStoryText(row, withText) }, query, args...)
	if err != nil {
		return nil, fmt.Errorf("select stories: %w", err)
	}
	return list, nil
}

// StoryBySlug returns the visible story with the given slug, with its tags.
func (db *DB) StoryBySlug(ctx context.Context, slug string) (*news.Story, error) {
	s, err := scanStory(db.queryRow(ctx, "SELECT "+storyColumns+storyFrom+" WHERE s.slug = ? AND"+visible, slug, unix(db.Now())))
	if err != nil {
		return nil, notFound(err, "Story %q not found.", slug)
	}
	if s.Tags, err = storyTags(ctx, db.pool, s.ID); err != nil {
		return nil, err
	}
	if s.RevisedAt, err = db.revisedAt(ctx, s.ID); err != nil {
		return nil, err
	}
	return s, nil
}

func storyTags(ctx context.Context, q querier, id int64) ([]news.Tag, error) {
	rows, err := q.Query(ctx, rebind(tagsOfStory), id)
	return scanTags(rows, err)
}

// Stories returns one page of visible stories, newest first, matching f,
// and whether a further page exists. A source's or author's list holds
// each of their stories; the others hold one card per story cluster.
// Cards carry the other sources of their cluster.
func (db *DB) Stories(ctx context.Context, f news.StoryFilter) ([]*news.Story, bool, error) {
	var where []string
	args := []any{}
	from := storyFrom
	order := " ORDER BY s.published_at DESC, s.id DESC"
	now := unix(db.Now())
	switch {
	case f.TagSlug != "":
		from += " JOIN story_tags st ON st.story_id = s.id JOIN tags t ON t.id = st.tag_id"
		where = append(where, "t.slug = ?", firstOf(" AND EXISTS (SELECT 1 FROM story_tags ot WHERE ot.story_id = o.id AND ot.tag_id = st.tag_id)"))
		args = append(args, f.TagSlug, now)
		order = " ORDER BY st.published_at DESC, s.id DESC"
	case f.SourceSlug != "":
		where = append(where, "s.source_id = (SELECT id FROM sources WHERE slug = ?)")
		args = append(args, f.SourceSlug)
	case f.SectionSlug != "":
		where = append(where, "s.section_id = (SELECT id FROM sections WHERE slug = ?)", firstOf(" AND o.section_id = s.section_id"))
		args = append(args, f.SectionSlug, now)
	case len(f.Authors) > 0:
		where = append(where, "s.author = ANY(?)")
		args = append(args, f.Authors)
	default:
		where = append(where, firstOf(""))
		args = append(args, now)
	}
	where = append(where, visible)
	args = append(args, now, f.Page.Size+1, f.Page.Offset())
	cols := cardColumns
	if f.WithBody {
		cols = storyColumns
	}
	list, err := db.queryStories(ctx, "SELECT "+cols+from+" WHERE "+strings.Join(where, " AND ")+
		order+" LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, false, err
	}
	more := len(list) > f.Page.Size
	if more {
		list = list[:f.Page.Size]
	}
	return list, more, db.FillCoverage(ctx, list)
}

// FillCoverage sets AlsoCoveredBy on each story of list: the sources of
// the other visible versions in its cluster, best-ranked first. One query
// for the whole list.
func (db *DB) FillCoverage(ctx context.Context, list []*news.Story) error {
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
	versions, err := queryAll(ctx, db.pool, func(row scanner) (version, error) {
		var v version
		return v, row.Scan(&v.cluster, &v.story, &v.src.ID, &v.src.Name, &v.src.Slug)
	}, `SELECT s.cluster_id, s.id, src.id, src.name, src.slug FROM stories s JOIN sources src ON src.id = s.source_id
		WHERE s.cluster_id = ANY(?) AND`+visible+` ORDER BY s.cluster_id, s.cluster_rank, s.id`, clusters, unix(db.Now()))
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
// per story cluster, never the story's own cluster, each with the other
// sources carrying it. A story with fewer close neighbours than limit gets
// recent stories of its section, then of its tags, after them; one with
// none of those gets the latest stories.
func (db *DB) Related(ctx context.Context, id int64, limit int) ([]news.Related, error) {
	now := unix(db.Now())
	var cluster int64
	var section *int64
	if err := db.queryRow(ctx, "SELECT cluster_id, section_id FROM stories WHERE id = ?", id).Scan(&cluster, &section); err != nil {
		return nil, notFound(err, "Story %d not found.", id)
	}
	near, err := db.queryStories(ctx, "SELECT "+cardColumns+storyFrom+
		" JOIN stories rm ON rm.cluster_id = s.cluster_id JOIN story_related r ON r.related_id = rm.id"+
		" WHERE r.story_id = ? AND s.cluster_id != ? AND"+visibleCard+" ORDER BY r.position", id, cluster, now, now)
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
	if len(list) < limit && section != nil {
		recent, err := db.queryStories(ctx, "SELECT "+cardColumns+storyFrom+" WHERE s.section_id = ? AND s.cluster_id != ? AND"+
			visibleCard+" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", *section, cluster, now, now, 2*limit)
		if err != nil {
			return nil, err
		}
		keep(recent)
	}
	if len(list) < limit {
		recent, err := db.queryStories(ctx, "SELECT "+cardColumns+storyFrom+` WHERE s.id IN (SELECT st.story_id FROM story_tags st
			WHERE st.tag_id IN (SELECT tag_id FROM story_tags WHERE story_id = ?) ORDER BY st.published_at DESC LIMIT ?)
			AND s.cluster_id != ? AND`+visibleCard+" ORDER BY s.published_at DESC, s.id DESC", id, 4*limit, cluster, now, now)
		if err != nil {
			return nil, err
		}
		keep(recent)
	}
	if len(list) == 0 {
		// The latest stories, so that an article page never has an empty
		// list; only then, so that neighbours are not padded with
		// unrelated stories.
		recent, err := db.queryStories(ctx, "SELECT "+cardColumns+storyFrom+" WHERE s.cluster_id != ? AND"+
			visibleCard+" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", cluster, now, now, 2*limit)
		if err != nil {
			return nil, err
		}
		keep(recent)
	}
	if err := db.FillCoverage(ctx, list); err != nil {
		return nil, err
	}
	out := make([]news.Related, len(list))
	for i, s := range list {
		out[i] = news.Related{Story: s, AlsoCoveredBy: s.AlsoCoveredBy, Nearby: i >= close}
	}
	return out, nil
}

// Versions returns every visible version of s's story (its cluster),
// oldest first, and the one lists show for it: the lead.
func (db *DB) Versions(ctx context.Context, s *news.Story) (versions []*news.Story, lead *news.Story, err error) {
	now := unix(db.Now())
	versions, err = db.queryStories(ctx, "SELECT "+cardColumns+storyFrom+
		" WHERE s.cluster_id = ? AND"+visible+" ORDER BY s.published_at, s.id", s.ClusterID, now)
	if err != nil {
		return nil, nil, err
	}
	var leadID int64
	if err := db.queryRow(ctx, "SELECT s.id FROM stories s WHERE s.cluster_id = ? AND"+visibleCard+" ORDER BY s.cluster_rank, s.id LIMIT 1",
		s.ClusterID, now, now).Scan(&leadID); err != nil {
		return nil, nil, notFound(err, "Story %q not found.", s.Slug)
	}
	for _, v := range versions {
		if v.ID == leadID {
			lead = v
		}
	}
	if lead == nil {
		return nil, nil, news.Errorf(news.ENOTFOUND, "Story %q not found.", s.Slug)
	}
	return versions, lead, nil
}

// CopyStories returns the visible stories of s's cluster other than s.
func (db *DB) CopyStories(ctx context.Context, s *news.Story) ([]*news.Story, error) {
	return db.queryStories(ctx, "SELECT "+cardColumns+storyFrom+
		" WHERE s.cluster_id = ? AND s.id != ? AND"+visible+" ORDER BY s.published_at", s.ClusterID, s.ID, unix(db.Now()))
}

// StoryCount returns the number of stories stored, in any state.
func (db *DB) StoryCount(ctx context.Context) (int, error) {
	var n int
	if err := db.queryRow(ctx, "SELECT count(*) FROM stories").Scan(&n); err != nil {
		return 0, fmt.Errorf("count stories: %w", err)
	}
	return n, nil
}

// revisedAt returns when readers last saw story id change, or the zero
// time when they never did.
func (db *DB) revisedAt(ctx context.Context, id int64) (t0 time.Time, err error) {
	var t int64
	err = db.queryRow(ctx, "SELECT coalesce(revised_at, 0) FROM story_edits WHERE story_id = ?", id).Scan(&t)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return t0, fmt.Errorf("select revision time of story %d: %w", id, err)
	}
	return optUnix(t), nil
}
