package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"newsdesk/internal/news"
)

// storyColumns is the one column list behind every story read; scanStory
// reads it back.
const storyColumns = `s.id, s.slug, s.title, s.summary, s.body, s.body_html,
	src.id, src.name, src.slug, coalesce(sec.id, 0), coalesce(sec.name, ''), coalesce(sec.slug, ''),
	coalesce(s.url, ''), coalesce(s.guid, ''), s.author, s.dateline, s.image_url, s.image_alt,
	s.status, s.published_at, s.created_at, s.updated_at, s.key_points, s.reading_minutes,
	s.cluster_id, s.comment_count, s.comments_closed, s.revision, s.deleted_at IS NOT NULL,
	coalesce(si.media_id, ''), coalesce(m.width, 0), coalesce(m.height, 0), coalesce(si.caption, ''), coalesce(si.credit, '')`

// cardColumns is storyColumns without the bodies, for lists of cards.
var cardColumns = strings.Replace(storyColumns, "s.body, s.body_html", "'', ''", 1)

const storyFrom = ` FROM stories s
	JOIN sources src ON src.id = s.source_id
	LEFT JOIN sections sec ON sec.id = s.section_id
	LEFT JOIN story_images si ON si.story_id = s.id
	LEFT JOIN media m ON m.id = si.media_id`

// visible is the condition for a story readers may see; its one argument
// is the current Unix time. A scheduled story whose time has come is
// visible even before the publisher ticker flips its status.
const visible = ` s.deleted_at IS NULL AND s.status != 'draft' AND s.published_at <= ?`

type scanner interface{ Scan(...any) error }

func scanStory(row scanner) (*news.Story, error) { return scanStoryText(row, false) }

// scanStoryText is scanStory for a column list followed by the body's
// plain text (hitColumns) when withText.
func scanStoryText(row scanner, withText bool) (*news.Story, error) {
	var s news.Story
	var pub, created, updated int64
	var keyPoints string
	dest := []any{&s.ID, &s.Slug, &s.Title, &s.Summary, &s.Body, &s.BodyHTML,
		&s.Source.ID, &s.Source.Name, &s.Source.Slug, &s.Section.ID, &s.Section.Name, &s.Section.Slug,
		&s.URL, &s.GUID, &s.Author, &s.Dateline, &s.ImageURL, &s.ImageAlt,
		&s.Status, &pub, &created, &updated, &keyPoints, &s.ReadingMinutes,
		&s.ClusterID, &s.CommentCount, &s.CommentsClosed, &s.Revision, &s.Trashed,
		&s.Image.ID, &s.Image.Width, &s.Image.Height, &s.ImageCaption, &s.ImageCredit}
	if withText {
		dest = append(dest, &s.Text)
	}
	err := row.Scan(dest...)
	if err != nil {
		return nil, err
	}
	s.PublishedAt, s.CreatedAt, s.UpdatedAt = fromUnix(pub), fromUnix(created), fromUnix(updated)
	if err := json.Unmarshal([]byte(keyPoints), &s.KeyPoints); err != nil {
		return nil, fmt.Errorf("story %d key points: %w", s.ID, err)
	}
	return &s, nil
}

func (db *DB) queryStories(ctx context.Context, query string, args ...any) ([]*news.Story, error) {
	return db.queryStoriesText(ctx, false, query, args...)
}

// queryStoriesText is queryStories, reading the text too when withText.
func (db *DB) queryStoriesText(ctx context.Context, withText bool, query string, args ...any) ([]*news.Story, error) {
	rows, err := db.readQuery(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("select stories: %w", err)
	}
	defer rows.Close()
	var out []*news.Story
	for rows.Next() {
		s, err := scanStoryText(rows, withText)
		if err != nil {
			return nil, fmt.Errorf("scan story: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// StoryBySlug returns the visible story with the given slug, with its tags.
func (db *DB) StoryBySlug(ctx context.Context, slug string) (*news.Story, error) {
	s, err := scanStory(db.readQueryRow(ctx,
		"SELECT "+storyColumns+storyFrom+" WHERE s.slug = ? AND"+visible, slug, unix(db.Now())))
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
	return scanTags(db.readQuery(ctx, tagsOfStory, id))
}

// tagsOfStory selects a story's tags in their order.
const tagsOfStory = `SELECT t.id, t.name, t.slug FROM story_tags st
	JOIN tags t ON t.id = st.tag_id WHERE st.story_id = ? ORDER BY st.position`

func scanTags(rows *sql.Rows, err error) ([]news.Tag, error) {
	if err != nil {
		return nil, fmt.Errorf("select tags: %w", err)
	}
	defer rows.Close()
	var out []news.Tag
	for rows.Next() {
		var t news.Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Slug); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Stories returns one page of visible stories, newest first, matching f,
// and whether a further page exists.
func (db *DB) Stories(ctx context.Context, f news.StoryFilter) ([]*news.Story, bool, error) {
	var where []string
	args := []any{}
	from := storyFrom
	order := " ORDER BY s.published_at DESC, s.id DESC"
	switch {
	case f.TagSlug != "":
		// Walk the tag's index newest first, then fetch each story.
		from += " JOIN story_tags st ON st.story_id = s.id JOIN tags t ON t.id = st.tag_id"
		where = append(where, "t.slug = ?")
		args = append(args, f.TagSlug)
		order = " ORDER BY st.published_at DESC, s.id DESC"
	case f.SourceSlug != "":
		where = append(where, "s.source_id = (SELECT id FROM sources WHERE slug = ?)")
		args = append(args, f.SourceSlug)
	case f.SectionSlug != "":
		where = append(where, "s.section_id = (SELECT id FROM sections WHERE slug = ?)")
		args = append(args, f.SectionSlug)
	case len(f.Authors) > 0:
		where = append(where, "s.author IN (?"+strings.Repeat(", ?", len(f.Authors)-1)+")")
		for _, a := range f.Authors {
			args = append(args, a)
		}
	}
	where = append(where, visible)
	args = append(args, unix(db.Now()), f.Page.Size+1, f.Page.Offset())
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
	return list, more, nil
}

// Related returns the stories shown beside story id, best first, each with
// the other sources carrying the same story.
func (db *DB) Related(ctx context.Context, id int64, limit int) ([]news.Related, error) {
	now := unix(db.Now())
	list, err := db.queryStories(ctx, "SELECT "+cardColumns+storyFrom+
		" JOIN story_related r ON r.related_id = s.id WHERE r.story_id = ? AND"+visible+
		" ORDER BY r.position LIMIT ?", id, now, limit)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	// The other sources of every listed story's cluster, in one query.
	args := []any{}
	for _, s := range list {
		args = append(args, s.ClusterID)
	}
	type copy struct {
		cluster, story int64
		src            news.Source
	}
	copies, err := queryAll(ctx, db, func(row scanner) (copy, error) {
		var c copy
		return c, row.Scan(&c.cluster, &c.story, &c.src.ID, &c.src.Name, &c.src.Slug)
	}, `SELECT s.cluster_id, s.id, src.id, src.name, src.slug FROM stories s JOIN sources src ON src.id = s.source_id
		WHERE s.cluster_id IN (?`+strings.Repeat(", ?", len(args)-1)+`) AND`+visible+` ORDER BY src.name`, append(args, now)...)
	if err != nil {
		return nil, err
	}
	out := make([]news.Related, len(list))
	for i, s := range list {
		out[i].Story = s
		seen := map[int64]bool{s.Source.ID: true}
		for _, c := range copies {
			if c.cluster == s.ClusterID && c.story != s.ID && !seen[c.src.ID] {
				seen[c.src.ID] = true
				out[i].AlsoCoveredBy = append(out[i].AlsoCoveredBy, c.src)
			}
		}
	}
	return out, nil
}

// CopyStories returns the visible stories of s's cluster other than s.
func (db *DB) CopyStories(ctx context.Context, s *news.Story) ([]*news.Story, error) {
	return db.queryStories(ctx, "SELECT "+cardColumns+storyFrom+
		" WHERE s.cluster_id = ? AND s.id != ? AND"+visible+" ORDER BY s.published_at", s.ClusterID, s.ID, unix(db.Now()))
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
