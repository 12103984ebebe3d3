package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"newsdesk/internal/changelog"
	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
	"newsdesk/internal/store"
)

// Writes. The application layer (internal/desk) derives everything a
// story's write stores and decides related lists and clusters before it
// calls one of the Save methods; each is one transaction that stores what
// it is given, and derives nothing.

// storyTx runs fn in a write transaction and then stores ch. fn names
// the stories it writes (w.keys.Touch) before writing them; what they and
// ch change is recorded as cache keys (internal/changelog).
func (db *DB) storyTx(ctx context.Context, ch store.Changes, fn func(*writer) error) error {
	return db.transact(ctx, func(w *writer) error {
		if err := w.keys.Before(ctx, ch); err != nil {
			return err
		}
		if fn != nil {
			if err := fn(w); err != nil {
				return err
			}
		}
		return w.storeChanges(ctx, ch)
	})
}

// storeChanges stores ch, once the stories are written, and notes the
// keys it changes.
func (w *writer) storeChanges(ctx context.Context, ch store.Changes) error {
	w.quiet = w.quiet || ch.Quiet
	if err := w.apply(ctx, ch); err != nil {
		return err
	}
	return w.keys.After(ctx, ch)
}

// dataTx runs fn in a write transaction that changes no story's related
// list or cluster (comments, settings).
func (db *DB) dataTx(ctx context.Context, fn func(*writer) error) error {
	return db.transact(ctx, fn)
}

// quietTx runs fn in a write transaction that changes nothing a reader
// sees: cached pages stay valid.
func (db *DB) quietTx(ctx context.Context, fn func(*writer) error) error {
	return db.dataTx(ctx, func(w *writer) error {
		w.quiet = true
		return fn(w)
	})
}

// transact runs fn on the writer connection in one transaction and raises
// the data version, unless fn said readers see nothing new (w.quiet).
func (db *DB) transact(ctx context.Context, fn func(*writer) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	w := &writer{tx: tx, db: db, ids: map[string]int64{}}
	w.keys = changelog.New(w)
	if err := fn(w); err != nil {
		return stopped(ctx, err)
	}
	if err := w.flushFTS(ctx); err != nil {
		return stopped(ctx, err)
	}
	var version int64
	if !w.quiet {
		if err := tx.QueryRowContext(ctx, "UPDATE meta SET version = version + 1 RETURNING version").Scan(&version); err != nil {
			return fmt.Errorf("bump data version: %w", err)
		}
		if err := db.logChanges(ctx, tx, version, w.keys); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return stopped(ctx, fmt.Errorf("commit: %w", err))
	}
	db.ckpt.Kick()
	db.raiseVersion(version)
	return nil
}

// stopped returns err, saying first that ctx ended if it did: then
// database/sql rolled the transaction back, and its statements, which run
// without ctx (writer.exec), failed with errors that do not say why ("sql:
// statement is closed").
func stopped(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// writer carries one write transaction, the ids of sources, sections and
// tags it has already resolved, and its prepared statements: a batch
// import runs the same few statements thousands of times, and preparing
// each anew cost more than running it.
type writer struct {
	db  *DB
	tx  *sql.Tx
	ids map[string]int64
	// tagNames are the stored names of the tags in ids, by slug.
	tagNames map[string]string
	stmts    map[string]*sql.Stmt
	// Full-text rows to write when the transaction ends: FTS5 flushes its
	// pending terms at every statement's savepoint, so rows written one
	// story at a time leave one tiny segment per story to merge.
	fts map[int64]ftsRow
	// quiet says the transaction changes nothing a reader sees, so cached
	// pages stay valid. Otherwise keys are what it changes (news.StoryKey
	// …); none means everything.
	quiet bool
	keys  *changelog.Keys
}

type ftsRow struct {
	title, summary, body, tags, source, state string
	replace                                   bool // a row may exist already
	drop                                      bool // delete only
}

// flushFTS writes the full-text rows collected in the transaction: a
// story readers may find goes to live_fts and story_heads_fts, any other
// to unlisted_fts (see migration 0012).
func (w *writer) flushFTS(ctx context.Context) error {
	ids := slices.Sorted(maps.Keys(w.fts))
	for _, id := range ids {
		r := w.fts[id]
		if r.replace || r.drop {
			if err := w.deleteFTS(ctx, id); err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		r := w.fts[id]
		if r.drop {
			continue
		}
		table := "unlisted_fts"
		if r.state == "live" {
			table = "live_fts"
		}
		if _, err := w.exec(ctx, "INSERT INTO "+table+" (rowid, title, summary, body, tags, source) VALUES (?, ?, ?, ?, ?, ?)",
			id, r.title, r.summary, r.body, r.tags, r.source); err != nil {
			return fmt.Errorf("insert fts of story %d: %w", id, err)
		}
		if r.state == "live" {
			if _, err := w.exec(ctx, "INSERT INTO story_heads_fts (rowid, title, tags) VALUES (?, ?, ?)", id, r.title, r.tags); err != nil {
				return fmt.Errorf("insert headline fts of story %d: %w", id, err)
			}
		}
	}
	w.fts = nil
	return nil
}

// ftsTables are the full-text indexes a story's text is in (migrations
// 0009 and 0012).
var ftsTables = []string{"live_fts", "unlisted_fts", "story_heads_fts"}

// writeFTS makes the full-text tables write out the terms they hold in
// memory for this transaction (flushFTS's rows) as index segments now,
// rather than at the next statement or the commit.
func (w *writer) writeFTS(ctx context.Context) error {
	for _, table := range ftsTables {
		if err := w.ftsCommand(ctx, table, "flush"); err != nil {
			return err
		}
	}
	return nil
}

// ftsCommand runs one of FTS5's special commands on a full-text table:
// "flush", "optimize", or "automerge" and "merge" with their number.
func (w *writer) ftsCommand(ctx context.Context, table, command string, arg ...any) error {
	var err error
	if len(arg) == 0 {
		_, err = w.exec(ctx, "INSERT INTO "+table+" ("+table+") VALUES (?)", command)
	} else {
		_, err = w.exec(ctx, "INSERT INTO "+table+" ("+table+", rank) VALUES (?, ?)", command, arg[0])
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", command, table, err)
	}
	return nil
}

// deleteFTS removes story id from every full-text index.
func (w *writer) deleteFTS(ctx context.Context, id int64) error {
	for _, table := range ftsTables {
		if _, err := w.exec(ctx, "DELETE FROM "+table+" WHERE rowid = ?", id); err != nil {
			return fmt.Errorf("delete %s row of story %d: %w", table, id, err)
		}
	}
	return nil
}

func (w *writer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[query] = st
	return st, nil
}

// exec runs a statement of the transaction through the statement cache.
// The transaction's statements run without ctx's end, as reads do
// (readQuery): for a context that can end (an import's, stopped by a
// signal; a request's), the driver starts a goroutine per statement to
// watch it: about 3 % of an import's CPU, on the writer's path. The
// transaction itself still watches ctx: when ctx ends, database/sql rolls
// it back once the statement under way is done, and the next statement
// fails (transact then returns ctx's error).
func (w *writer) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = context.WithoutCancel(ctx)
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// query is exec for a statement that returns rows.
func (w *writer) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = context.WithoutCancel(ctx)
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is QueryRowContext through the statement cache; a failure to
// prepare surfaces from Scan.
func (w *writer) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx)
	st, err := w.stmt(ctx, query)
	if err != nil {
		return w.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// save writes story st (inserted with its reserved id when isNew) with
// everything derived from it: tags, full-text row and related-index
// vector. A blank slug is made from the title.
func (w *writer) save(ctx context.Context, st store.Story, isNew bool) error {
	if err := w.writeStory(ctx, st, isNew); err != nil {
		return err
	}
	return w.writeVector(ctx, st)
}

// writeStory is save without the vector.
func (w *writer) writeStory(ctx context.Context, st store.Story, isNew bool) error {
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
	if err := w.writeTags(ctx, s, isNew); err != nil {
		return err
	}
	if err := sqlstore.WriteImage(ctx, w, s, isNew); err != nil {
		return err
	}
	w.indexText(st, isNew)
	return nil
}

// named returns the id of the source or section called name, adding it
// (with a unique slug) when new.
func (w *writer) named(ctx context.Context, table, name string) (int64, error) {
	key := table + "\x00" + name
	if id, ok := w.ids[key]; ok {
		return id, nil
	}
	var id int64
	err := w.queryRow(ctx, "SELECT id FROM "+table+" WHERE name = ?", name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		slug := news.Slugify(name)
		if slug == "" {
			slug = strings.TrimSuffix(table, "s")
		}
		for n := 1; ; n++ {
			try := slug
			if n > 1 {
				try += "-" + strconv.Itoa(n)
			}
			err = w.queryRow(ctx, "INSERT INTO "+table+" (name, slug) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING RETURNING id",
				name, try).Scan(&id)
			if !errors.Is(err, sql.ErrNoRows) {
				break
			}
		}
		if err == nil && table == "sources" && news.OriginalByDefault(name) {
			_, err = w.exec(ctx, "UPDATE sources SET original = 1 WHERE id = ?", id)
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
func (w *writer) uniqueSlug(ctx context.Context, base string, self int64) (string, error) {
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
		if errors.Is(err, sql.ErrNoRows) || id == self {
			return try, nil
		} else if err != nil {
			return "", fmt.Errorf("select slug %q: %w", try, err)
		}
	}
}

// writeTags stores s's tags, adding those new to the site; isNew says
// none are stored for s yet.
func (w *writer) writeTags(ctx context.Context, s *news.Story, isNew bool) error {
	if !isNew {
		if _, err := w.exec(ctx, "DELETE FROM story_tags WHERE story_id = ?", s.ID); err != nil {
			return fmt.Errorf("delete tags of story %d: %w", s.ID, err)
		}
	}
	if len(s.Tags) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(s.Tags))
	for i := range s.Tags {
		t := &s.Tags[i]
		key := "tags\x00" + t.Slug
		id, ok := w.ids[key]
		if name, named := w.tagNames[t.Slug]; ok && named {
			t.Name = name
		} else if !ok {
			err := w.queryRow(ctx, `INSERT INTO tags (name, slug) VALUES (?, ?)
				ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id, name`, t.Name, t.Slug).Scan(&id, &t.Name)
			if err != nil {
				return fmt.Errorf("resolve tag %q: %w", t.Slug, err)
			}
			w.ids[key] = id
			w.nameTag(t.Slug, t.Name)
		}
		t.ID = id
		args = append(args, s.ID, id, i, unix(s.PublishedAt))
	}
	// One statement for all of them (one prepared form per count).
	q := "INSERT OR IGNORE INTO story_tags (story_id, tag_id, position, published_at) VALUES (?, ?, ?, ?)" +
		strings.Repeat(", (?, ?, ?, ?)", len(s.Tags)-1)
	if _, err := w.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("insert tags of story %d: %w", s.ID, err)
	}
	return nil
}

// knownTags looks up, in one query, the stored tags the stories of a
// batch carry, so that writeTags adds only new ones: resolving each by an
// upsert rewrote the tag's row once a transaction.
func (w *writer) knownTags(ctx context.Context, items []store.Imported) error {
	var slugs []string
	for _, it := range items {
		for _, t := range it.Story.Story.Tags {
			if _, ok := w.ids["tags\x00"+t.Slug]; !ok {
				slugs = append(slugs, t.Slug)
			}
		}
	}
	if len(slugs) == 0 {
		return nil
	}
	list, err := json.Marshal(slugs)
	if err != nil {
		return err
	}
	rows, err := w.tx.QueryContext(ctx, "SELECT id, slug, name FROM tags WHERE slug IN (SELECT value FROM json_each(?))", string(list))
	if err != nil {
		return fmt.Errorf("select tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var slug, name string
		if err := rows.Scan(&id, &slug, &name); err != nil {
			return fmt.Errorf("select tags: %w", err)
		}
		w.ids["tags\x00"+slug] = id
		w.nameTag(slug, name)
	}
	return rows.Err()
}

// nameTag notes the stored name of the tag slug, which every story
// written with it shows.
func (w *writer) nameTag(slug, name string) {
	if w.tagNames == nil {
		w.tagNames = map[string]string{}
	}
	w.tagNames[slug] = name
}

// index writes story st's full-text row (at the end of the transaction)
// and its related-index vector; isNew says no full-text row can exist for
// it yet.
func (w *writer) index(ctx context.Context, st store.Story, isNew bool) error {
	w.indexText(st, isNew)
	return w.writeVector(ctx, st)
}

// indexText queues story st's full-text row, written by flushFTS.
func (w *writer) indexText(st store.Story, isNew bool) {
	s := st.Story
	tags := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		tags[i] = t.Name
	}
	if w.fts == nil {
		w.fts = map[int64]ftsRow{}
	}
	_, seen := w.fts[s.ID]
	state := "hidden"
	if s.Status == news.StatusPublished && !s.Trashed {
		state = "live"
	}
	w.fts[s.ID] = ftsRow{title: s.Title, summary: s.Summary, body: st.Text, tags: strings.Join(tags, " "),
		source: s.Source.Name, state: state, replace: seen || !isNew}
}

// writeVector writes story st's related-index vector and fingerprint.
func (w *writer) writeVector(ctx context.Context, st store.Story) error {
	if _, err := w.exec(ctx, `INSERT INTO story_vectors (story_id, terms, minhash) VALUES (?, ?, ?)
		ON CONFLICT (story_id) DO UPDATE SET terms = excluded.terms, minhash = excluded.minhash`,
		st.Story.ID, st.Vector, st.Print); err != nil {
		return fmt.Errorf("write vector of story %d: %w", st.Story.ID, err)
	}
	return nil
}

// writeRelated stores story id's related list (sqlstore.RelatedList).
func (w *writer) writeRelated(ctx context.Context, id int64, list, was []store.Match, known bool) error {
	for _, st := range sqlstore.RelatedList(id, list, was, known) {
		if _, err := w.exec(ctx, st.SQL, st.Args...); err != nil {
			return fmt.Errorf("write related of story %d: %w", id, err)
		}
	}
	return nil
}

// scanIDs reads a one-column result of ids.
func scanIDs(rows *sql.Rows, err error) ([]int64, error) {
	ids, err := scanAll(rows, err, scanInt64)
	if err != nil {
		return nil, fmt.Errorf("select ids: %w", err)
	}
	return ids, nil
}

// ExecRows runs a statement in the transaction and returns how many rows
// it changed: the transaction as sqlstore's writes use it.
func (w *writer) ExecRows(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := w.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Row reads one row in the transaction: the transaction as sqlstore's
// writes use it.
func (w *writer) Row(ctx context.Context, query string, args ...any) sqlstore.Row {
	return w.queryRow(ctx, query, args...)
}
