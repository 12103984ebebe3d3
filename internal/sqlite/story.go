package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// What sqlite/search.go writes its reads with: sqlstore's, by shorter
// names.
const (
	storyFrom = sqlstore.StoryFrom
	visible   = sqlstore.Visible
)

var (
	cardColumns = sqlstore.CardColumns
	visibleCard = sqlstore.VisibleCard
)

func (db *DB) queryStories(ctx context.Context, query string, args ...any) ([]*news.Story, error) {
	return db.queryStoriesText(ctx, false, query, args...)
}

// queryStoriesText is queryStories, reading the text too when withText.
func (db *DB) queryStoriesText(ctx context.Context, withText bool, query string, args ...any) ([]*news.Story, error) {
	rows, err := db.readQuery(ctx, query, args...)
	list, err := scanAll(rows, err, func(row scanner) (*news.Story, error) { return sqlstore.ScanStoryText(row, withText) })
	if err != nil {
		return nil, fmt.Errorf("select stories: %w", err)
	}
	return list, nil
}

func scanTags(rows *sql.Rows, err error) ([]news.Tag, error) {
	return sqlstore.ScanTags(sqlRows{rows}, err)
}

// Stories returns one page of visible stories, newest first, matching f,
// and whether a further page exists. A source's or author's list holds
// each of their stories; the others hold one card per story cluster (the lead, or the
// first-ranked version the list selects), so pages count stories, not
// copies. Cards carry the other sources of their cluster.
func (db *DB) Stories(ctx context.Context, f news.StoryFilter) ([]*news.Story, bool, error) {
	var where []string
	args := []any{}
	from := sqlstore.StoryFrom
	order := " ORDER BY s.published_at DESC, s.id DESC"
	now := unix(db.Now())
	switch {
	case f.TagSlug != "":
		// Walk the tag's index newest first, then fetch each story.
		from += " JOIN story_tags st ON st.story_id = s.id JOIN tags t ON t.id = st.tag_id"
		where = append(where, "t.slug = ?", sqlstore.FirstOf(" AND EXISTS (SELECT 1 FROM story_tags ot WHERE ot.story_id = o.id AND ot.tag_id = st.tag_id)"))
		args = append(args, f.TagSlug, now)
		order = " ORDER BY st.published_at DESC, s.id DESC"
	case f.SourceSlug != "":
		where = append(where, "s.source_id = (SELECT id FROM sources WHERE slug = ?)")
		args = append(args, f.SourceSlug)
	case f.SectionSlug != "":
		where = append(where, "s.section_id = (SELECT id FROM sections WHERE slug = ?)", sqlstore.FirstOf(" AND o.section_id = s.section_id"))
		args = append(args, f.SectionSlug, now)
	case len(f.Authors) > 0:
		// An author's page, like a source's, lists their own stories.
		where = append(where, "s.author IN (?"+strings.Repeat(", ?", len(f.Authors)-1)+")")
		for _, a := range f.Authors {
			args = append(args, a)
		}
	default:
		where = append(where, sqlstore.FirstOf(""))
		args = append(args, now)
	}
	where = append(where, sqlstore.Visible)
	args = append(args, now, f.Page.Size+1, f.Page.Offset())
	cols := sqlstore.CardColumns
	if f.WithBody {
		cols = sqlstore.StoryColumns
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
	versions, err = db.queryStories(ctx, "SELECT "+sqlstore.CardColumns+sqlstore.StoryFrom+
		" WHERE s.cluster_id = ? AND"+sqlstore.Visible+" ORDER BY s.published_at, s.id", s.ClusterID, now)
	if err != nil {
		return nil, nil, err
	}
	var leadID int64
	if err := db.readQueryRow(ctx, "SELECT s.id FROM stories s WHERE s.cluster_id = ? AND"+sqlstore.VisibleCard+" LIMIT 1",
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

// nullable turns "" into NULL for UNIQUE columns where blank means absent.
func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
