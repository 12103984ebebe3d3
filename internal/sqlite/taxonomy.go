package sqlite

import (
	"context"
	"fmt"
	"time"

	"newsdesk/internal/news"
)

// Source returns the source with the given slug.
func (db *DB) Source(ctx context.Context, slug string) (news.Source, error) {
	var s news.Source
	err := db.read.QueryRowContext(ctx, "SELECT id, name, slug FROM sources WHERE slug = ?", slug).
		Scan(&s.ID, &s.Name, &s.Slug)
	return s, notFound(err, "Source %q not found.", slug)
}

// Section returns the section with the given slug.
func (db *DB) Section(ctx context.Context, slug string) (news.Section, error) {
	var s news.Section
	err := db.read.QueryRowContext(ctx, "SELECT id, name, slug FROM sections WHERE slug = ?", slug).
		Scan(&s.ID, &s.Name, &s.Slug)
	return s, notFound(err, "Section %q not found.", slug)
}

// Tag returns the tag with the given slug.
func (db *DB) Tag(ctx context.Context, slug string) (news.Tag, error) {
	var t news.Tag
	err := db.read.QueryRowContext(ctx, "SELECT id, name, slug FROM tags WHERE slug = ?", slug).
		Scan(&t.ID, &t.Name, &t.Slug)
	return t, notFound(err, "Tag %q not found.", slug)
}

// Sections returns every section that has a visible story, by name.
func (db *DB) Sections(ctx context.Context) ([]news.Section, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT sec.id, sec.name, sec.slug FROM sections sec
		WHERE EXISTS (SELECT 1 FROM stories s WHERE s.section_id = sec.id AND`+visible+`)
		ORDER BY sec.name`, unix(db.Now()))
	if err != nil {
		return nil, fmt.Errorf("select sections: %w", err)
	}
	defer rows.Close()
	var out []news.Section
	for rows.Next() {
		var s news.Section
		if err := rows.Scan(&s.ID, &s.Name, &s.Slug); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// TrendingTags returns up to n tags carried by the most visible stories
// published within the window before now, most used first.
func (db *DB) TrendingTags(ctx context.Context, window time.Duration, n int) ([]news.Tag, error) {
	now := db.Now()
	rows, err := db.read.QueryContext(ctx, `SELECT t.id, t.name, t.slug, count(*) AS n FROM story_tags st
		JOIN tags t ON t.id = st.tag_id
		JOIN stories s ON s.id = st.story_id
		WHERE st.published_at > ? AND`+visible+`
		GROUP BY t.id ORDER BY n DESC, t.name LIMIT ?`, unix(now.Add(-window)), unix(now), n)
	if err != nil {
		return nil, fmt.Errorf("select trending tags: %w", err)
	}
	defer rows.Close()
	var out []news.Tag
	for rows.Next() {
		var t news.Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Slug, &t.Count); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Sources returns every source, by name.
func (db *DB) Sources(ctx context.Context) ([]news.Source, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT id, name, slug FROM sources ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("select sources: %w", err)
	}
	defer rows.Close()
	var out []news.Source
	for rows.Next() {
		var s news.Source
		if err := rows.Scan(&s.ID, &s.Name, &s.Slug); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
