package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// Author returns the bylines whose slug is slug and that have a visible
// story: "Jana Dvořák" and "Jana Dvorak" are one author page.
func (db *DB) Author(ctx context.Context, slug string) ([]string, error) {
	names, err := queryAll(ctx, db.pool, scanString, `SELECT DISTINCT author FROM stories WHERE author != ''`)
	if err != nil {
		return nil, fmt.Errorf("select authors: %w", err)
	}
	var out []string
	for _, n := range names {
		if news.Slugify(n) == slug {
			out = append(out, n)
		}
	}
	if len(out) > 0 {
		var n int
		if err := db.queryRow(ctx, `SELECT count(*) FROM stories s WHERE s.author = ANY(?) AND`+visible,
			out, unix(db.Now())).Scan(&n); err != nil {
			return nil, fmt.Errorf("select author %q: %w", slug, err)
		}
		if n == 0 {
			out = nil
		}
	}
	if len(out) == 0 {
		return nil, news.Errorf(news.ENOTFOUND, "No stories by this author.")
	}
	return out, nil
}

// Sections returns every section that has a visible story, by name.
func (db *DB) Sections(ctx context.Context) ([]news.Section, error) {
	return queryAll(ctx, db.pool, sqlstore.ScanSection, `SELECT sec.id, sec.name, sec.slug FROM sections sec
		WHERE EXISTS (SELECT 1 FROM stories s WHERE s.section_id = sec.id AND`+visible+`)
		ORDER BY sec.name COLLATE "C"`, unix(db.Now()))
}

// TrendingTags returns up to n tags carried by the most visible stories
// published within the window before now, most used first; the copies of
// one story (a cluster) count once.
func (db *DB) TrendingTags(ctx context.Context, window time.Duration, n int) ([]news.Tag, error) {
	now := db.Now()
	return queryAll(ctx, db.pool, sqlstore.ScanCountedTag, `SELECT t.id, t.name, t.slug,
		count(DISTINCT coalesce(nullif(s.cluster_id, 0), -s.id)) AS n FROM story_tags st
		JOIN tags t ON t.id = st.tag_id
		JOIN stories s ON s.id = st.story_id
		WHERE st.published_at > ? AND`+visible+`
		GROUP BY t.id ORDER BY n DESC, t.name COLLATE "C" LIMIT ?`, unix(now.Add(-window)), unix(now), n)
}

// Sources returns every source that has a visible story, by name.
func (db *DB) Sources(ctx context.Context) ([]news.Source, error) {
	return queryAll(ctx, db.pool, sqlstore.ScanSource, `SELECT src.id, src.name, src.slug FROM sources src
		WHERE EXISTS (SELECT 1 FROM stories s WHERE s.source_id = src.id AND`+visible+`)
		ORDER BY src.name COLLATE "C"`, unix(db.Now()))
}

// AllSources returns every source, with or without visible stories, by
// name, for the newsroom.
func (db *DB) AllSources(ctx context.Context) ([]news.Source, error) {
	return queryAll(ctx, db.pool, sqlstore.ScanSource, `SELECT id, name, slug FROM sources ORDER BY name COLLATE "C"`)
}

// AllSections returns every section, with or without stories, by name.
func (db *DB) AllSections(ctx context.Context) ([]news.Section, error) {
	return queryAll(ctx, db.pool, sqlstore.ScanSection, `SELECT id, name, slug FROM sections ORDER BY name COLLATE "C"`)
}

// AddSection creates a section named name.
func (db *DB) AddSection(ctx context.Context, name string) error {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || len(name) > 60 || news.Slugify(name) == "" {
		return news.Errorf(news.EINVALID, "A section needs a name of 1 to 60 characters with a letter or digit.")
	}
	return db.transact(ctx, func(w *tx) error {
		var n int
		if err := w.queryRow(ctx, "SELECT count(*) FROM sections WHERE name = ?", name).Scan(&n); err != nil {
			return fmt.Errorf("look up section %q: %w", name, err)
		} else if n > 0 {
			return news.Errorf(news.ECONFLICT, "A section named %q already exists.", name)
		}
		_, err := w.named(ctx, "sections", name)
		return err
	})
}

// FillTags loads the tags of every story in list with one query.
func (db *DB) FillTags(ctx context.Context, list []*news.Story) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*news.Story, len(list))
	ids := make([]int64, len(list))
	for i, s := range list {
		byID[s.ID] = s
		ids[i] = s.ID
		s.Tags = nil
	}
	type storyTag struct {
		story int64
		tag   news.Tag
	}
	rows, err := queryAll(ctx, db.pool, func(row scanner) (storyTag, error) {
		var st storyTag
		return st, row.Scan(&st.story, &st.tag.ID, &st.tag.Name, &st.tag.Slug)
	}, `SELECT st.story_id, t.id, t.name, t.slug FROM story_tags st
		JOIN tags t ON t.id = st.tag_id WHERE st.story_id = ANY(?)
		ORDER BY st.story_id, st.position`, ids)
	if err != nil {
		return fmt.Errorf("select tags: %w", err)
	}
	for _, r := range rows {
		byID[r.story].Tags = append(byID[r.story].Tags, r.tag)
	}
	return nil
}

// FillBodies loads the Markdown and HTML bodies of every story in list,
// which lists of cards leave out, with one query.
func (db *DB) FillBodies(ctx context.Context, list []*news.Story) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64][]*news.Story, len(list))
	ids := make([]int64, len(list))
	for i, s := range list {
		byID[s.ID] = append(byID[s.ID], s)
		ids[i] = s.ID
	}
	type bodies struct {
		id         int64
		body, html string
	}
	rows, err := queryAll(ctx, db.pool, func(row scanner) (bodies, error) {
		var b bodies
		return b, row.Scan(&b.id, &b.body, &b.html)
	}, `SELECT id, body, body_html FROM stories WHERE id = ANY(?)`, ids)
	if err != nil {
		return fmt.Errorf("select bodies: %w", err)
	}
	for _, b := range rows {
		for _, s := range byID[b.id] {
			s.Body, s.BodyHTML = b.body, b.html
		}
	}
	return nil
}

// StoryMonths returns the months that have visible stories, newest first.
func (db *DB) StoryMonths(ctx context.Context) ([]news.Month, error) {
	list, err := queryAll(ctx, db.pool, func(row scanner) (news.Month, error) {
		var m news.Month
		var last int64
		err := row.Scan(&m.Year, &m.Month, &m.Count, &last)
		m.LastMod = fromUnix(last)
		return m, err
	}, `SELECT extract(year FROM to_timestamp(s.published_at) AT TIME ZONE 'UTC')::int AS y,
		extract(month FROM to_timestamp(s.published_at) AT TIME ZONE 'UTC')::int AS m, count(*),
		max(greatest(s.updated_at, s.published_at))
		FROM stories s WHERE`+visible+` GROUP BY y, m ORDER BY y DESC, m DESC`, unix(db.Now()))
	if err != nil {
		return nil, fmt.Errorf("select story months: %w", err)
	}
	return list, nil
}

// ListPages returns every tag, source and section page that has visible
// stories, with the time of its newest story.
func (db *DB) ListPages(ctx context.Context) ([]news.ListPage, error) {
	now := unix(db.Now())
	list, err := queryAll(ctx, db.pool, func(row scanner) (news.ListPage, error) {
		var p news.ListPage
		var last int64
		err := row.Scan(&p.Path, &last)
		p.LastMod = fromUnix(last)
		return p, err
	}, `SELECT path, last FROM (
		SELECT '/sections/' || sec.slug AS path, max(s.published_at) AS last FROM stories s JOIN sections sec ON sec.id = s.section_id
		WHERE`+visible+` GROUP BY sec.id
		UNION ALL
		SELECT '/sources/' || src.slug, max(s.published_at) FROM stories s JOIN sources src ON src.id = s.source_id
		WHERE`+visible+` GROUP BY src.id
		UNION ALL
		SELECT '/tags/' || t.slug, max(s.published_at) FROM story_tags st JOIN tags t ON t.id = st.tag_id
		JOIN stories s ON s.id = st.story_id WHERE`+visible+` GROUP BY t.id) pages
		ORDER BY path COLLATE "C"`, now, now, now)
	if err != nil {
		return nil, fmt.Errorf("select list pages: %w", err)
	}
	return list, nil
}

// FeedIdentity returns the prefix of the site's Atom ids, a tag URI
// (RFC 4151) minted on first use from authority and that day, and the
// time it was minted. The first node to mint it wins.
func (db *DB) FeedIdentity(ctx context.Context, authority string) (string, time.Time, error) {
	vals, err := db.Settings(ctx, "atom_id", "atom_id_minted")
	if err != nil {
		return "", time.Time{}, err
	}
	if vals[0] == "" {
		now := db.Now().UTC()
		b := make([]byte, 4)
		rand.Read(b)
		id := fmt.Sprintf("tag:%s,%s:%x/", authority, now.Format(time.DateOnly), b)
		if _, err := db.pool.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('atom_id', $1), ('atom_id_minted', $2)
			ON CONFLICT (key) DO NOTHING`, id, now.Format(time.RFC3339)); err != nil {
			return "", time.Time{}, fmt.Errorf("save feed identity: %w", err)
		}
		if vals, err = db.Settings(ctx, "atom_id", "atom_id_minted"); err != nil {
			return "", time.Time{}, err
		}
	}
	minted, err := time.Parse(time.RFC3339, vals[1])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("feed identity time %q: %w", vals[1], err)
	}
	return vals[0], minted, nil
}

// "sections", "tags") with the given id a new display name. Its slug, and
// so its URLs, stay. Desk reindexes the stories filed under it after.
func (db *DB) SaveRename(ctx context.Context, kind string, id int64, name string) error {
	switch kind {
	case "sources", "sections", "tags":
	default:
		return news.Errorf(news.ENOTFOUND, "Nothing to rename.")
	}
	return db.transact(ctx, func(w *tx) error {
		res, err := w.exec(ctx, "UPDATE "+kind+" SET name = ? WHERE id = ?", name, id)
		if isUnique(err) {
			return news.Errorf(news.ECONFLICT, "That name is already taken.")
		} else if err != nil {
			return fmt.Errorf("rename %s %d: %w", kind, id, err)
		}
		if n := res.RowsAffected(); n == 0 {
			return news.Errorf(news.ENOTFOUND, "Not found.")
		}
		return nil
	})
}

// SaveTagMerge files every story tagged fromSlug under intoSlug instead,
// deletes fromSlug, and returns the stories that moved, for desk to
// reindex.
func (db *DB) SaveTagMerge(ctx context.Context, fromSlug, intoSlug string) ([]int64, error) {
	var moved []int64
	err := db.transact(ctx, func(w *tx) error {
		var from, into int64
		if err := w.queryRow(ctx, "SELECT id FROM tags WHERE slug = ?", fromSlug).Scan(&from); err != nil {
			return notFound(err, "Tag %q not found.", fromSlug)
		}
		if err := w.queryRow(ctx, "SELECT id FROM tags WHERE slug = ?", intoSlug).Scan(&into); err != nil {
			return notFound(err, "Tag %q not found.", intoSlug)
		}
		if _, err := w.exec(ctx, `INSERT INTO story_tags (story_id, tag_id, position, published_at)
			SELECT story_id, ?, position, published_at FROM story_tags WHERE tag_id = ? ON CONFLICT DO NOTHING`, into, from); err != nil {
			return fmt.Errorf("merge tags: %w", err)
		}
		// Only the stories that carried the old tag change.
		var err error
		if moved, err = scanIDs(w.query(ctx, "SELECT story_id FROM story_tags WHERE tag_id = ?", from)); err != nil {
			return err
		}
		if _, err := w.exec(ctx, "DELETE FROM tags WHERE id = ?", from); err != nil {
			return fmt.Errorf("delete tag %d: %w", from, err)
		}
		return nil
	})
	return moved, err
}

// namesOf is each managed kind's story count and order: tags most used
// first (a long tail of one-story tags), sources and sections by name.
var namesOf = map[string]struct{ count, order string }{
	"sources":  {"(SELECT count(*) FROM stories s WHERE s.source_id = x.id)", `x.name COLLATE "C"`},
	"sections": {"(SELECT count(*) FROM stories s WHERE s.section_id = x.id)", `x.name COLLATE "C"`},
	"tags":     {"(SELECT count(*) FROM story_tags st WHERE st.tag_id = x.id)", `n DESC, x.name COLLATE "C"`},
}

// Names returns one page of the sources, sections or tags whose name or
// slug contains f.Query (ASCII letters in any case, as SQLite's LIKE),
// each with its number of stories, and how many match in all.
func (db *DB) Names(ctx context.Context, f news.NameFilter) ([]news.Name, int, error) {
	of, ok := namesOf[f.Kind]
	if !ok {
		return nil, 0, news.Errorf(news.ENOTFOUND, "No such list.")
	}
	where, args := "", []any{}
	if f.ID != 0 {
		where, args = " WHERE x.id = ?", append(args, f.ID)
	} else if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		where = ` WHERE x.name ILIKE ? ESCAPE '\' OR x.slug ILIKE ? ESCAPE '\'`
		args = append(args, like, like)
	}
	var total int
	if err := db.queryRow(ctx, "SELECT count(*) FROM "+f.Kind+" x"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", f.Kind, err)
	}
	list, err := queryAll(ctx, db.pool, func(row scanner) (news.Name, error) {
		var n news.Name
		return n, row.Scan(&n.ID, &n.Name, &n.Slug, &n.Stories)
	}, "SELECT x.id, x.name, x.slug, "+of.count+" AS n FROM "+f.Kind+" x"+where+" ORDER BY "+of.order+" LIMIT ? OFFSET ?",
		append(args, f.Page.Size, f.Page.Offset())...)
	return list, total, err
}

// DeleteName deletes the section or tag (kind "sections" or "tags") with
// the given id, if no story, draft or trashed one, is filed under it.
func (db *DB) DeleteName(ctx context.Context, kind string, id int64) error {
	what := map[string]string{"sections": "section", "tags": "tag"}[kind]
	if what == "" {
		return news.Errorf(news.ENOTFOUND, "Only sections and tags can be deleted.")
	}
	return db.transact(ctx, func(w *tx) error {
		var name string
		var n int
		// FOR UPDATE: a story filed under it meanwhile waits, then fails
		// on the foreign key, rather than losing its section or tag.
		err := w.queryRow(ctx, "SELECT x.name, "+namesOf[kind].count+" FROM "+kind+" x WHERE x.id = ? FOR UPDATE", id).Scan(&name, &n)
		if err != nil {
			return notFound(err, "That %s no longer exists.", what)
		}
		if n > 0 {
			stories := "1 story"
			if n != 1 {
				stories = strconv.Itoa(n) + " stories"
			}
			return news.Errorf(news.ECONFLICT, "The %s %q is still used by %s (counting drafts and the trash), so it was not deleted.", what, name, stories)
		}
		if _, err := w.exec(ctx, "DELETE FROM "+kind+" WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete %s %d: %w", what, id, err)
		}
		return nil
	})
}
