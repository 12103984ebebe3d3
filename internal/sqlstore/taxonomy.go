package sqlstore

import (
	"context"
	"fmt"
	"time"

	"newsdesk/internal/news"
)

// The pages of sources, sections and tags, and the sitemap's months, as
// both stores read them.

// Source returns the source with the given slug, if it has a visible
// story: a source known only from drafts or embargoed stories is not
// found, so its name does not leak.
func (r Reads) Source(ctx context.Context, slug string) (news.Source, error) {
	var s news.Source
	err := r.named(ctx, `SELECT src.id, src.name, src.slug FROM sources src WHERE src.slug = ?
		AND EXISTS (SELECT 1 FROM stories s WHERE s.source_id = src.id AND`+Visible+`)`, slug, &s.ID, &s.Name, &s.Slug)
	return s, NotFound(err, "Source %q not found.", slug)
}

// Section returns the section with the given slug, if it has a visible
// story.
func (r Reads) Section(ctx context.Context, slug string) (news.Section, error) {
	var s news.Section
	err := r.named(ctx, `SELECT sec.id, sec.name, sec.slug FROM sections sec WHERE sec.slug = ?
		AND EXISTS (SELECT 1 FROM stories s WHERE s.section_id = sec.id AND`+Visible+`)`, slug, &s.ID, &s.Name, &s.Slug)
	return s, NotFound(err, "Section %q not found.", slug)
}

// Tag returns the tag with the given slug, if it has a visible story.
func (r Reads) Tag(ctx context.Context, slug string) (news.Tag, error) {
	var t news.Tag
	err := r.named(ctx, `SELECT t.id, t.name, t.slug FROM tags t WHERE t.slug = ?
		AND EXISTS (SELECT 1 FROM story_tags st JOIN stories s ON s.id = st.story_id WHERE st.tag_id = t.id AND`+Visible+`)`,
		slug, &t.ID, &t.Name, &t.Slug)
	return t, NotFound(err, "Tag %q not found.", slug)
}

// named scans the id, name and slug that query selects by slug and the
// current time.
func (r Reads) named(ctx context.Context, query, slug string, id *int64, name, slugOut *string) error {
	return r.Q.QueryRow(ctx, query, slug, r.now()).Scan(id, name, slugOut)
}

// StoriesInMonth returns the slugs and change times of the visible stories
// published in the month, oldest first, skipping offset and returning at
// most limit.
func (r Reads) StoriesInMonth(ctx context.Context, year, month, offset, limit int) ([]*news.Story, error) {
	from := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
	list, err := QueryAll(ctx, r.Q, func(row Row) (*news.Story, error) {
		var s news.Story
		var pub, upd int64
		err := row.Scan(&s.Slug, &pub, &upd)
		s.PublishedAt, s.UpdatedAt = FromUnix(pub), FromUnix(upd)
		return &s, err
	}, `SELECT s.slug, s.published_at, s.updated_at FROM stories s
		WHERE s.published_at >= ? AND s.published_at < ? AND`+Visible+` ORDER BY s.published_at, s.id LIMIT ? OFFSET ?`,
		Unix(from), Unix(from.AddDate(0, 1, 0)), r.now(), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("select stories of %d-%02d: %w", year, month, err)
	}
	return list, nil
}

// StoriesSince returns up to limit visible stories published after t,
// newest first.
func (r Reads) StoriesSince(ctx context.Context, t time.Time, limit int) ([]*news.Story, error) {
	return r.queryStories(ctx, "SELECT "+CardColumns+StoryFrom+" WHERE s.published_at > ? AND"+Visible+
		" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", Unix(t), r.now(), limit)
}

// ScanSource scans a source: id, name, slug.
func ScanSource(row Row) (news.Source, error) {
	var s news.Source
	return s, row.Scan(&s.ID, &s.Name, &s.Slug)
}

// ScanSection scans a section: id, name, slug.
func ScanSection(row Row) (news.Section, error) {
	var s news.Section
	return s, row.Scan(&s.ID, &s.Name, &s.Slug)
}

// ScanCountedTag scans a tag and its count of stories.
func ScanCountedTag(row Row) (news.Tag, error) {
	var t news.Tag
	return t, row.Scan(&t.ID, &t.Name, &t.Slug, &t.Count)
}
