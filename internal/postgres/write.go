package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
	"newsdesk/internal/store"
)

// named returns the id of the source or section called name, adding it
// (with a unique slug) when new. Another node may add the same name
// meanwhile: then its row is taken.
func (w *tx) named(ctx context.Context, table, name string) (int64, error) {
	key := table + "\x00" + name
	if id, ok := w.ids[key]; ok {
		return id, nil
	}
	var id int64
	err := w.queryRow(ctx, "SELECT id FROM "+table+" WHERE name = ?", name).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		slug := news.Slugify(name)
		if slug == "" {
			slug = strings.TrimSuffix(table, "s")
		}
		for n := 1; ; n++ {
			try := slug
			if n > 1 {
				try += "-" + strconv.Itoa(n)
			}
			err = w.queryRow(ctx, "INSERT INTO "+table+" (name, slug) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING id",
				name, try).Scan(&id)
			if !errors.Is(err, pgx.ErrNoRows) {
				break
			}
			// The name or the slug is taken: by this name, the row is ours.
			if err = w.queryRow(ctx, "SELECT id FROM "+table+" WHERE name = ?", name).Scan(&id); !errors.Is(err, pgx.ErrNoRows) {
				break
			}
		}
		if err == nil && table == "sources" && news.OriginalByDefault(name) {
			_, err = w.exec(ctx, "UPDATE sources SET original = true WHERE id = ? AND NOT original", id)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("resolve %s %q: %w", table, name, err)
	}
	w.ids[key] = id
	return id, nil
}

// uniqueSlug returns base, or base-2, base-3 … whichever no other story
// than self uses.
func (w *tx) uniqueSlug(ctx context.Context, base string, self int64) (string, error) {
	if base == "" {
		base = "story"
	}
	for n := 1; ; n++ {
		try := base
		if n > 1 {
			suffix := "-" + strconv.Itoa(n)
			try = strings.TrimRight(base[:min(len(base), news.MaxSlugLen-len(suffix))], "-") + suffix
		}
		var id int64
		err := w.queryRow(ctx, "SELECT id FROM stories WHERE slug = ?", try).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) || id == self {
			return try, nil
		} else if err != nil {
			return "", fmt.Errorf("select slug %q: %w", try, err)
		}
	}
}

// Writes. The application layer (internal/desk) derives everything a
// story's write stores and decides related lists and clusters before it
// calls one of the Save methods; each is one transaction that stores what
// it is given, and derives nothing.

// storyTx runs fn in a write transaction and then stores ch. fn names
// the stories it writes (w.keys.Touch) before writing them; what they and
// ch change is recorded as cache keys (internal/changelog).
//
// Story writes of every node take one lock first, as SQLite's one writer
// would: the related lists and clusters of one write are never
// interleaved with another's.
func (db *DB) storyTx(ctx context.Context, ch store.Changes, fn func(*tx) error) error {
	return db.transact(ctx, func(w *tx) error {
		if _, err := w.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('newsdesk write ' || current_schema()))"); err != nil {
			return fmt.Errorf("lock for writing: %w", err)
		}
		if err := w.keys.Before(ctx, ch); err != nil {
			return err
		}
		if fn != nil {
			if err := fn(w); err != nil {
				return err
			}
		}
		w.quiet = w.quiet || ch.Quiet
		if err := w.apply(ctx, ch); err != nil {
			return err
		}
		return w.keys.After(ctx, ch)
	})
}

// saveImported stores one import item.
func (w *tx) saveImported(ctx context.Context, it store.Imported) error {
	if it.Outcome == news.Updated {
		return w.updateFromFeed(ctx, it)
	}
	return w.save(ctx, it.Story, true)
}

// save writes story st (inserted with its reserved id when isNew) with
// everything derived from it: tags, tsvectors and related-index
// vector. A blank slug is made from the title.
func (w *tx) save(ctx context.Context, st store.Story, isNew bool) error {
	s, id := st.Story, st.Story.ID
	hash := st.Hash
	var err error
	now := unix(w.db.Now())
	if s.Source.ID, err = w.named(ctx, "sources", s.Source.Name); err != nil {
		return err
	}
	var section sql.NullInt64
	if s.Section.Name != "" {
		if s.Section.ID, err = w.named(ctx, "sections", s.Section.Name); err != nil {
			return err
		}
		section = sql.NullInt64{Int64: s.Section.ID, Valid: true}
		s.Section.Slug = news.Slugify(s.Section.Name)
	}
	if s.Slug == "" {
		self := id
		if isNew {
			self = 0
		}
		if s.Slug, err = w.uniqueSlug(ctx, news.Slugify(s.Title), self); err != nil {
			return err
		}
	}
	keyPoints, _ := json.Marshal(s.KeyPoints)
	args := []any{s.Slug, s.Title, s.Summary, s.Body, s.BodyHTML, st.Text, s.Source.ID, section,
		nullable(s.URL), nullable(s.GUID), s.Author, s.Dateline, s.ImageURL, s.ImageAlt,
		s.Status, unix(s.PublishedAt), now, string(keyPoints), s.ReadingMinutes, hash}
	if isNew {
		// A new story has not changed since it was published: an import of
		// last week's wire story (or the demo) is not "updated" today.
		args[16] = min(now, unix(s.PublishedAt))
		_, err = w.exec(ctx, `INSERT INTO stories (slug, title, summary, body, body_html, body_text,
			source_id, section_id, url, guid, author, dateline, image_url, image_alt, status,
			published_at, updated_at, key_points, reading_minutes, content_hash, created_at, id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append(args, now, id)...)
	} else {
		_, err = w.exec(ctx, `UPDATE stories SET slug = ?, title = ?, summary = ?, body = ?,
			body_html = ?, body_text = ?, source_id = ?, section_id = ?, url = ?, guid = ?, author = ?, dateline = ?,
			image_url = ?, image_alt = ?, status = ?, published_at = ?, updated_at = ?, key_points = ?,
			reading_minutes = ?, content_hash = ? WHERE id = ?`, append(args, id)...)
	}
	if isUnique(err) {
		return news.Errorf(news.ECONFLICT, "A story with this slug, URL or GUID already exists.")
	} else if err != nil {
		return fmt.Errorf("write story %q: %w", s.Slug, err)
	}
	if err := w.writeTags(ctx, s); err != nil {
		return err
	}
	if err := sqlstore.WriteImage(ctx, w, s, isNew); err != nil {
		return err
	}
	return w.index(ctx, st)
}

func (w *tx) writeTags(ctx context.Context, s *news.Story) error {
	w.queue("DELETE FROM story_tags WHERE story_id = ?", s.ID)
	for i := range s.Tags {
		t := &s.Tags[i]
		key := "tags\x00" + t.Slug
		id, ok := w.ids[key]
		if !ok {
			err := w.queryRow(ctx, `INSERT INTO tags (name, slug) VALUES (?, ?)
				ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id, name`, t.Name, t.Slug).Scan(&id, &t.Name)
			if err != nil {
				return fmt.Errorf("resolve tag %q: %w", t.Slug, err)
			}
			w.ids[key] = id
		}
		t.ID = id
		w.queue("INSERT INTO story_tags (story_id, tag_id, position, published_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			s.ID, id, i, unix(s.PublishedAt))
	}
	return nil
}

// index writes story st's tsvectors and its related-index vector.
func (w *tx) index(ctx context.Context, st store.Story) error {
	s := st.Story
	if err := w.writeSearch(ctx, s, st.Text); err != nil {
		return err
	}
	w.queue(`INSERT INTO story_vectors (story_id, terms, minhash) VALUES (?, ?, ?)
		ON CONFLICT (story_id) DO UPDATE SET terms = excluded.terms, minhash = excluded.minhash`,
		s.ID, st.Vector, st.Print)
	return nil
}

// writeRelated stores story id's related list (sqlstore.RelatedList).
func (w *tx) writeRelated(ctx context.Context, id int64, list, was []store.Match, known bool) error {
	for _, st := range sqlstore.RelatedList(id, list, was, known) {
		w.queue(st.SQL, st.Args...)
	}
	return nil
}

// ExecRows runs a statement in the transaction and returns how many rows
// it changed: the transaction as sqlstore's writes use it.
func (w *tx) ExecRows(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := w.exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

// Row reads one row in the transaction: the transaction as sqlstore's
// writes use it.
func (w *tx) Row(ctx context.Context, query string, args ...any) sqlstore.Row {
	return w.queryRow(ctx, query, args...)
}
