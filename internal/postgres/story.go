package postgres

import (
	"context"
	"fmt"
	"strings"

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
