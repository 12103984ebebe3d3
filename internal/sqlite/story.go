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

// StoryBySlug returns the visible story with the given slug, with its tags.
func (db *DB) StoryBySlug(ctx context.Context, slug string) (*news.Story, error) {
	s, err := sqlstore.ScanStory(db.readQueryRow(ctx,
		"SELECT "+sqlstore.StoryColumns+sqlstore.StoryFrom+" WHERE s.slug = ? AND"+sqlstore.Visible, slug, unix(db.Now())))
	if err != nil {
		return nil, notFound(err, "Story %q not found.", slug)
	}
	if s.Tags, err = db.storyTags(ctx, s.ID); err != nil {
		return nil, err
	}
	if s.RevisedAt, err = db.revisedAt(ctx, s.ID); err != nil {
		return nil, err
	}
	return s, nil
}

func (db *DB) storyTags(ctx context.Context, id int64) ([]news.Tag, error) {
	return scanTags(db.readQuery(ctx, sqlstore.TagsOfStory, id))
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
	versions, err := queryAll(ctx, db, func(row scanner) (version, error) {
		var v version
		return v, row.Scan(&v.cluster, &v.story, &v.src.ID, &v.src.Name, &v.src.Slug)
	}, `SELECT s.cluster_id, s.id, src.id, src.name, src.slug FROM stories s JOIN sources src ON src.id = s.source_id
		WHERE s.cluster_id IN `+jsonIDs+` AND`+sqlstore.Visible+` ORDER BY s.cluster_id, s.cluster_rank, s.id`, idList(clusters), unix(db.Now()))
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
func (db *DB) Related(ctx context.Context, id int64, limit int) ([]news.Related, error) {
	now := unix(db.Now())
	var cluster int64
	var section sql.NullInt64
	if err := db.readQueryRow(ctx, "SELECT cluster_id, section_id FROM stories WHERE id = ?", id).Scan(&cluster, &section); err != nil {
		return nil, notFound(err, "Story %d not found.", id)
	}
	// A listed story stands for its cluster, shown by the cluster's lead;
	// a cluster listed twice (a copy that joined after the list was
	// made) shows once.
	near, err := db.queryStories(ctx, "SELECT "+sqlstore.CardColumns+sqlstore.StoryFrom+
		" JOIN stories rm ON rm.cluster_id = s.cluster_id JOIN story_related r ON r.related_id = rm.id"+
		" WHERE r.story_id = ? AND s.cluster_id != ? AND"+sqlstore.VisibleCard+" ORDER BY r.position", id, cluster, now, now)
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
		recent, err := db.queryStories(ctx, "SELECT "+sqlstore.CardColumns+sqlstore.StoryFrom+" WHERE s.section_id = ? AND s.cluster_id != ? AND"+
			sqlstore.VisibleCard+" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", section.Int64, cluster, now, now, 2*limit)
		if err != nil {
			return nil, err
		}
		keep(recent)
	}
	if len(list) < limit {
		recent, err := db.queryStories(ctx, "SELECT "+sqlstore.CardColumns+sqlstore.StoryFrom+` WHERE s.id IN (SELECT st.story_id FROM story_tags st
			WHERE st.tag_id IN (SELECT tag_id FROM story_tags WHERE story_id = ?) ORDER BY st.published_at DESC LIMIT ?)
			AND s.cluster_id != ? AND`+sqlstore.VisibleCard+" ORDER BY s.published_at DESC, s.id DESC", id, 4*limit, cluster, now, now)
		if err != nil {
			return nil, err
		}
		keep(recent)
	}
	if len(list) == 0 {
		// A story with no section and tags of its own: the latest stories,
		// so that an article page never has an empty list. Only then: a
		// list with some neighbours is not padded with unrelated stories.
		recent, err := db.queryStories(ctx, "SELECT "+sqlstore.CardColumns+sqlstore.StoryFrom+" WHERE s.cluster_id != ? AND"+
			sqlstore.VisibleCard+" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", cluster, now, now, 2*limit)
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

// CopyStories returns the visible stories of s's cluster other than s.
func (db *DB) CopyStories(ctx context.Context, s *news.Story) ([]*news.Story, error) {
	return db.queryStories(ctx, "SELECT "+sqlstore.CardColumns+sqlstore.StoryFrom+
		" WHERE s.cluster_id = ? AND s.id != ? AND"+sqlstore.Visible+" ORDER BY s.published_at", s.ClusterID, s.ID, unix(db.Now()))
}

// nullable turns "" into NULL for UNIQUE columns where blank means absent.
func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// StoryCount returns the number of stories stored, in any state.
func (db *DB) StoryCount(ctx context.Context) (int, error) {
	var n int
	if err := db.readQueryRow(ctx, "SELECT count(*) FROM stories").Scan(&n); err != nil {
		return 0, fmt.Errorf("count stories: %w", err)
	}
	return n, nil
}
