package sqlite

import (
	"context"
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
	// The distinct bylines come from the author index alone; there are
	// far fewer of them than stories.
	names, err := queryAll(ctx, db, func(row scanner) (string, error) {
		var n string
		return n, row.Scan(&n)
	}, `SELECT DISTINCT author FROM stories WHERE author != ''`)
	if err != nil {
		return nil, fmt.Errorf("select authors: %w", err)
	}
	var out []any
	for _, n := range names {
		if news.Slugify(n) == slug {
			out = append(out, n)
		}
	}
	if len(out) > 0 {
		var n int
		err = db.readQueryRow(ctx, `SELECT count(*) FROM stories s WHERE s.author IN (?`+strings.Repeat(", ?", len(out)-1)+
			`) AND`+sqlstore.Visible, append(out, unix(db.Now()))...).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("select author %q: %w", slug, err)
		}
		if n == 0 {
			out = nil
		}
	}
	if len(out) == 0 {
		return nil, news.Errorf(news.ENOTFOUND, "No stories by this author.")
	}
	list := make([]string, len(out))
	for i, n := range out {
		list[i] = n.(string)
	}
	return list, nil
}

// Sections returns every section that has a visible story, by name.
func (db *DB) Sections(ctx context.Context) ([]news.Section, error) {
	return queryAll(ctx, db, sqlstore.ScanSection, `SELECT sec.id, sec.name, sec.slug FROM sections sec
		WHERE EXISTS (SELECT 1 FROM stories s WHERE s.section_id = sec.id AND`+sqlstore.Visible+`)
		ORDER BY sec.name`, unix(db.Now()))
}

// TrendingTags returns up to n tags carried by the most visible stories
// published within the window before now, most used first; the copies of
// one story (a cluster) count once.
func (db *DB) TrendingTags(ctx context.Context, window time.Duration, n int) ([]news.Tag, error) {
	now := db.Now()
	// A story carried by five sources is one story: count its cluster once.
	return queryAll(ctx, db, sqlstore.ScanCountedTag, `SELECT t.id, t.name, t.slug,
		count(DISTINCT coalesce(nullif(s.cluster_id, 0), -s.id)) AS n FROM story_tags st
		JOIN tags t ON t.id = st.tag_id
		JOIN stories s ON s.id = st.story_id
		WHERE st.published_at > ? AND`+sqlstore.Visible+`
		GROUP BY t.id ORDER BY n DESC, t.name LIMIT ?`, unix(now.Add(-window)), unix(now), n)
}

// Sources returns every source that has a visible story, by name: the
// search page's source filter offers nothing a reader cannot find.
func (db *DB) Sources(ctx context.Context) ([]news.Source, error) {
	return queryAll(ctx, db, sqlstore.ScanSource, `SELECT src.id, src.name, src.slug FROM sources src
		WHERE EXISTS (SELECT 1 FROM stories s WHERE s.source_id = src.id AND`+sqlstore.Visible+`)
		ORDER BY src.name`, unix(db.Now()))
}

// AllSources returns every source, with or without visible stories, by
// name, for the newsroom.
func (db *DB) AllSources(ctx context.Context) ([]news.Source, error) {
	return queryAll(ctx, db, sqlstore.ScanSource, "SELECT id, name, slug FROM sources ORDER BY name")
}

// AllSections returns every section, with or without stories, by name.
func (db *DB) AllSections(ctx context.Context) ([]news.Section, error) {
	return queryAll(ctx, db, sqlstore.ScanSection, "SELECT id, name, slug FROM sections ORDER BY name")
}

// AddSection creates a section named name.
func (db *DB) AddSection(ctx context.Context, name string) error {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || len(name) > 60 || news.Slugify(name) == "" {
		return news.Errorf(news.EINVALID, "A section needs a name of 1 to 60 characters with a letter or digit.")
	}
	return db.dataTx(ctx, func(w *writer) error {
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

// SaveRename gives the source, section or tag (kind "sources",
// "sections", "tags") with the given id a new display name. Its slug, and
// so its URLs, stay. Desk reindexes the stories filed under it after.
func (db *DB) SaveRename(ctx context.Context, kind string, id int64, name string) error {
	switch kind {
	case "sources", "sections", "tags":
	default:
		return news.Errorf(news.ENOTFOUND, "Nothing to rename.")
	}
	return db.dataTx(ctx, func(w *writer) error {
		res, err := w.tx.ExecContext(ctx, "UPDATE "+kind+" SET name = ? WHERE id = ?", name, id)
		if isUnique(err) {
			return news.Errorf(news.ECONFLICT, "That name is already taken.")
		} else if err != nil {
			return fmt.Errorf("rename %s %d: %w", kind, id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
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
	err := db.dataTx(ctx, func(w *writer) error {
		var from, into int64
		if err := w.tx.QueryRowContext(ctx, "SELECT id FROM tags WHERE slug = ?", fromSlug).Scan(&from); err != nil {
			return notFound(err, "Tag %q not found.", fromSlug)
		}
		if err := w.tx.QueryRowContext(ctx, "SELECT id FROM tags WHERE slug = ?", intoSlug).Scan(&into); err != nil {
			return notFound(err, "Tag %q not found.", intoSlug)
		}
		if _, err := w.tx.ExecContext(ctx, `INSERT OR IGNORE INTO story_tags (story_id, tag_id, position, published_at)
			SELECT story_id, ?, position, published_at FROM story_tags WHERE tag_id = ?`, into, from); err != nil {
			return fmt.Errorf("merge tags: %w", err)
		}
		// Only the stories that carried the old tag change.
		var err error
		if moved, err = scanIDs(w.query(ctx, "SELECT story_id FROM story_tags WHERE tag_id = ?", from)); err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, "DELETE FROM tags WHERE id = ?", from); err != nil {
			return fmt.Errorf("delete tag %d: %w", from, err)
		}
		return nil
	})
	return moved, err
}

// namesOf is each managed kind's story count and order: tags most used
// first (a long tail of one-story tags), sources and sections by name.
var namesOf = map[string]struct{ count, order string }{
	"sources":  {"(SELECT count(*) FROM stories s WHERE s.source_id = x.id)", "x.name"},
	"sections": {"(SELECT count(*) FROM stories s WHERE s.section_id = x.id)", "x.name"},
	"tags":     {"(SELECT count(*) FROM story_tags st WHERE st.tag_id = x.id)", "n DESC, x.name"},
}

// Names returns one page of the sources, sections or tags whose name or
// slug contains f.Query, each with its number of stories, and how many
// match in all.
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
		where = ` WHERE x.name LIKE ? ESCAPE '\' OR x.slug LIKE ? ESCAPE '\'`
		args = append(args, like, like)
	}
	var total int
	if err := db.readQueryRow(ctx, "SELECT count(*) FROM "+f.Kind+" x"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", f.Kind, err)
	}
	list, err := queryAll(ctx, db, func(row scanner) (news.Name, error) {
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
	return db.dataTx(ctx, func(w *writer) error {
		var name string
		var n int
		err := w.queryRow(ctx, "SELECT x.name, "+namesOf[kind].count+" FROM "+kind+" x WHERE x.id = ?", id).Scan(&name, &n)
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
		if _, err := w.tx.ExecContext(ctx, "DELETE FROM "+kind+" WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete %s %d: %w", what, id, err)
		}
		return nil
	})
}
