package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"newsdesk/internal/news"
	"newsdesk/internal/related"
	"newsdesk/internal/summary"
)

// Related lists keep a few more stories than the page shows, so that one
// unpublished neighbour does not leave a gap.
const relatedKept = 8

// prepared is what writing a story needs that takes no database: its
// derived fields (set on the story), plain text, fingerprint and features.
type prepared struct {
	text, hash string
	feat       related.Features
	derived    bool // false for a story found unchanged before deriving
}

// prepare derives s's fields and computes what the write needs.
// The fingerprint is taken from what the feed or editor gave, before
// anything is derived, so an unchanged item is known without deriving it.
func prepare(s *news.Story) prepared {
	hash := contentHash(s)
	text := summary.Derive(s)
	slugs := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		slugs[i] = t.Slug
	}
	return prepared{text: text, hash: hash, feat: related.Extract(s.Title, s.Summary, text, slugs, s.PublishedAt), derived: true}
}

// storedHashes returns the fingerprints stored for the stories' keys
// (URL, else GUID), read before the write transaction.
func (db *DB) storedHashes(ctx context.Context, stories []*news.Story) (map[string]string, error) {
	out := map[string]string{}
	for _, col := range []string{"url", "guid"} {
		var args []any
		for _, s := range stories {
			if k, v := storyKey(s); k == col {
				args = append(args, v)
			}
		}
		if len(args) == 0 {
			continue
		}
		type kv struct{ k, h string }
		rows, err := queryAll(ctx, db, func(row scanner) (kv, error) {
			var p kv
			return p, row.Scan(&p.k, &p.h)
		}, "SELECT s."+col+", "+feedHashExpr+" FROM stories s WHERE s."+col+" IN (?"+strings.Repeat(", ?", len(args)-1)+")", args...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[col+"\x00"+r.k] = r.h
		}
	}
	return out, nil
}

// storyKey is the column and value that identify s across imports.
func storyKey(s *news.Story) (col, val string) {
	if s.URL != "" {
		return "url", s.URL
	}
	return "guid", s.GUID
}

// prepareAll prepares stories on every core while the caller goes on:
// the story at i is ready once ready[i] is closed. The writer takes them in
// order as they come, so deriving the next stories overlaps writing these.
//
// Stories for which unchanged reports true get only their fingerprint.
func prepareAll(stories []*news.Story, unchanged func(*news.Story) bool) (preps []prepared, ready []chan struct{}) {
	preps = make([]prepared, len(stories))
	ready = make([]chan struct{}, len(stories))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	next := make(chan int, len(stories))
	for i := range stories {
		next <- i
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), len(stories)) {
		go func() {
			for i := range next {
				if unchanged(stories[i]) {
					preps[i] = prepared{hash: contentHash(stories[i])}
				} else {
					preps[i] = prepare(stories[i])
				}
				close(ready[i])
			}
		}()
	}
	return preps, ready
}

// contentHash fingerprints what a feed controls, so that re-importing an
// unchanged item is recognised as a duplicate.
func contentHash(s *news.Story) string {
	tags := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		tags[i] = t.Name
	}
	fields := []any{s.Title, s.Summary, s.Body, s.Source.Name, s.URL, s.GUID, s.Author,
		s.Dateline, s.Section.Name, tags, s.ImageURL, s.ImageAlt, s.Status, unix(s.PublishedAt)}
	// Only stories with a picture fingerprint it, so stories stored before
	// pictures existed keep their fingerprints.
	if s.Image.ID != "" {
		fields = append(fields, s.Image.ID, s.ImageCaption, s.ImageCredit)
	}
	b, _ := json.Marshal(fields)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// UpsertStories writes stories in one transaction, each matched to a stored
// story by URL, else GUID: a new one is added, a changed one replaces the
// stored version (keeping its slug), an identical one is left alone. Related
// stories and story clusters are recomputed for every story written and
// for its neighbours; an added story found to be a copy of another gets
// Copy set. Stories must have passed Validate.
func (db *DB) UpsertStories(ctx context.Context, stories []*news.Story) ([]news.Outcome, error) {
	out := make([]news.Outcome, len(stories))
	stored, err := db.storedHashes(ctx, stories)
	if err != nil {
		return nil, err
	}
	preps, ready := prepareAll(stories, func(s *news.Story) bool {
		k, v := storyKey(s)
		h, ok := stored[k+"\x00"+v]
		return ok && h == contentHash(s)
	})
	// Should the write fail early, let the preparers finish first: they
	// write into stories.
	defer func() {
		for _, r := range ready {
			<-r
		}
	}()
	err = db.writeTx(ctx, func(w *writer) error {
		var changed []int64
		for i, s := range stories {
			<-ready[i]
			o, err := w.upsert(ctx, s, preps[i])
			if err != nil {
				return err
			}
			out[i] = o
			if o != news.Unchanged {
				changed = append(changed, s.ID)
			}
		}
		// A poll that finds nothing new leaves cached pages alone.
		w.quiet = len(changed) == 0
		if err := w.refreshRelated(ctx, changed); err != nil {
			return err
		}
		for i, s := range stories {
			s.Copy = out[i] == news.Added && w.joined[s.ID]
		}
		return nil
	})
	return out, err
}

// writeTx runs fn in a write transaction with the related index loaded.
// The index is changed in step with the database; if the transaction
// fails it is dropped, to be reloaded from what was committed.
func (db *DB) writeTx(ctx context.Context, fn func(*writer) error) error {
	db.idxMu.Lock()
	defer db.idxMu.Unlock()
	var stale []int64
	if db.idx == nil {
		idx, old, err := db.loadIndex(ctx)
		if err != nil {
			return err
		}
		db.idx, stale = idx, old
	}
	if len(stale) > 0 {
		// Stories stored before copy detection changed are fingerprinted
		// and placed in clusters again, once, before this write.
		if err := db.transact(ctx, db.idx, func(w *writer) error { return w.reindexIDs(ctx, stale) }); err != nil {
			db.idx = nil
			return err
		}
	}
	if err := db.transact(ctx, db.idx, fn); err != nil {
		db.idx = nil
		return err
	}
	return nil
}

// dataTx runs fn in a write transaction that changes no story, so the
// related index is neither loaded nor touched (comments, settings).
func (db *DB) dataTx(ctx context.Context, fn func(*writer) error) error {
	return db.transact(ctx, nil, fn)
}

// transact runs fn on the writer connection in one transaction and raises
// the data version, unless fn said readers see nothing new (w.quiet).
func (db *DB) transact(ctx context.Context, idx *related.Index, fn func(*writer) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	w := &writer{tx: tx, idx: idx, db: db, ids: map[string]int64{}}
	if err := fn(w); err != nil {
		return err
	}
	if err := w.flushFTS(ctx); err != nil {
		return err
	}
	var version int64
	if !w.quiet {
		if err := tx.QueryRowContext(ctx, "UPDATE meta SET version = version + 1 RETURNING version").Scan(&version); err != nil {
			return fmt.Errorf("bump data version: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.raiseVersion(version)
	return nil
}

// loadIndex reads the related index from story_vectors. It also returns
// the stories whose stored fingerprint is missing or of an older format:
// they are in the index but can be matched as copies only once reindexed.
func (db *DB) loadIndex(ctx context.Context) (*related.Index, []int64, error) {
	idx := related.NewIndex()
	var stale []int64
	rows, err := db.write.QueryContext(ctx, `SELECT s.id, coalesce(sec.slug, ''), s.published_at, s.cluster_id,
		v.terms, v.minhash FROM stories s JOIN story_vectors v ON v.story_id = s.id
		LEFT JOIN sections sec ON sec.id = s.section_id
		WHERE s.deleted_at IS NULL AND s.status != 'draft' ORDER BY s.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("load related index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st related.Story
		var pub int64
		var vec string
		var sig []byte
		if err := rows.Scan(&st.ID, &st.Section, &pub, &st.Cluster, &vec, &sig); err != nil {
			return nil, nil, err
		}
		st.Published = fromUnix(pub)
		fp, ok := related.FingerprintFrom(sig)
		if !ok {
			stale = append(stale, st.ID)
		}
		idx.Load(st, vec, fp)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	lists, err := db.write.QueryContext(ctx, `SELECT r.story_id, r.related_id, s.cluster_id, r.score
		FROM story_related r JOIN stories s ON s.id = r.related_id ORDER BY r.story_id, r.position`)
	if err != nil {
		return nil, nil, fmt.Errorf("load related lists: %w", err)
	}
	defer lists.Close()
	var cur int64
	var list []related.Match
	for lists.Next() {
		var id int64
		var m related.Match
		if err := lists.Scan(&id, &m.ID, &m.Cluster, &m.Score); err != nil {
			return nil, nil, err
		}
		if id != cur && list != nil {
			idx.SetList(cur, list)
			list = nil
		}
		cur = id
		list = append(list, m)
	}
	if list != nil {
		idx.SetList(cur, list)
	}
	return idx, stale, lists.Err()
}

// writer carries one write transaction, the ids of sources, sections and
// tags it has already resolved, and its prepared statements: a batch
// import runs the same few statements thousands of times, and preparing
// each anew cost more than running it.
type writer struct {
	db    *DB
	tx    *sql.Tx
	idx   *related.Index
	ids   map[string]int64
	stmts map[string]*sql.Stmt
	// Full-text rows to write when the transaction ends: FTS5 flushes its
	// pending terms at every statement's savepoint, so rows written one
	// story at a time leave one tiny segment per story to merge.
	fts map[int64]ftsRow
	// quiet says the transaction changes nothing a reader sees, so cached
	// pages stay valid.
	quiet bool
	// Clusters whose members changed, to rank again when the write's
	// stories are placed; and the stories placed as copies of others.
	dirty  map[int64]bool
	joined map[int64]bool
}

type ftsRow struct {
	title, summary, body, tags, source, state string
	replace                                   bool // a row may exist already
	drop                                      bool // delete only
}

// flushFTS writes the full-text rows collected in the transaction.
func (w *writer) flushFTS(ctx context.Context) error {
	ids := slices.Sorted(maps.Keys(w.fts))
	for _, id := range ids {
		r := w.fts[id]
		if r.replace || r.drop {
			if _, err := w.exec(ctx, "DELETE FROM stories_fts WHERE rowid = ?", id); err != nil {
				return fmt.Errorf("delete fts of story %d: %w", id, err)
			}
			if _, err := w.exec(ctx, "DELETE FROM story_heads_fts WHERE rowid = ?", id); err != nil {
				return fmt.Errorf("delete headline fts of story %d: %w", id, err)
			}
		}
	}
	for _, id := range ids {
		r := w.fts[id]
		if r.drop {
			continue
		}
		if _, err := w.exec(ctx, "INSERT INTO stories_fts (rowid, title, summary, body, tags, source, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, r.title, r.summary, r.body, r.tags, r.source, r.state); err != nil {
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

func (w *writer) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (w *writer) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is QueryRowContext through the statement cache; a failure to
// prepare surfaces from Scan.
func (w *writer) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return w.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (w *writer) upsert(ctx context.Context, s *news.Story, p prepared) (news.Outcome, error) {
	st, err := w.storedByKey(ctx, s)
	if err != nil {
		return 0, err
	}
	if st.id != 0 && st.feedHash == p.hash {
		s.ID, s.Slug = st.id, st.slug
		return news.Unchanged, nil
	}
	if st.id != 0 {
		return news.Updated, w.updateFromFeed(ctx, s, st, p)
	}
	if !p.derived {
		// Changed since it was looked up before the transaction.
		p = prepare(s)
	}
	return news.Added, w.save(ctx, s, 0, p)
}

// save writes s as story id (0 for a new story) with everything derived
// from it: tags, full-text row and related-index vector. A blank slug is
// made from the title.
func (w *writer) save(ctx context.Context, s *news.Story, id int64, p prepared) error {
	hash := p.hash
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
		if s.Slug, err = w.uniqueSlug(ctx, news.Slugify(s.Title), id); err != nil {
			return err
		}
	}
	keyPoints, _ := json.Marshal(s.KeyPoints)
	args := []any{s.Slug, s.Title, s.Summary, s.Body, s.BodyHTML, p.text, s.Source.ID, section,
		nullable(s.URL), nullable(s.GUID), s.Author, s.Dateline, s.ImageURL, s.ImageAlt,
		s.Status, unix(s.PublishedAt), now, string(keyPoints), s.ReadingMinutes, hash}
	if id == 0 {
		// A new story has not changed since it was published: an import of
		// last week's wire story (or the demo) is not "updated" today.
		args[16] = min(now, unix(s.PublishedAt))
		err = w.queryRow(ctx, `INSERT INTO stories (slug, title, summary, body, body_html, body_text,
			source_id, section_id, url, guid, author, dateline, image_url, image_alt, status,
			published_at, updated_at, key_points, reading_minutes, content_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			append(args, now)...).Scan(&id)
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
	s.ID = id
	if err := w.writeTags(ctx, s); err != nil {
		return err
	}
	if err := w.writeImage(ctx, s); err != nil {
		return err
	}
	return w.index(ctx, s, p, id == 0)
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

func (w *writer) writeTags(ctx context.Context, s *news.Story) error {
	if _, err := w.exec(ctx, "DELETE FROM story_tags WHERE story_id = ?", s.ID); err != nil {
		return fmt.Errorf("delete tags of story %d: %w", s.ID, err)
	}
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
		if _, err := w.exec(ctx, "INSERT OR IGNORE INTO story_tags (story_id, tag_id, position, published_at) VALUES (?, ?, ?, ?)",
			s.ID, id, i, unix(s.PublishedAt)); err != nil {
			return fmt.Errorf("insert tag of story %d: %w", s.ID, err)
		}
	}
	return nil
}

// index brings the full-text and related indexes up to date with s.
// index brings the full-text and related indexes up to date with s; isNew
// says no full-text row can exist for it yet.
func (w *writer) index(ctx context.Context, s *news.Story, p prepared, isNew bool) error {
	text, f := p.text, p.feat
	tags := make([]string, len(s.Tags))
	slugs := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		tags[i], slugs[i] = t.Name, t.Slug
	}
	if w.fts == nil {
		w.fts = map[int64]ftsRow{}
	}
	_, seen := w.fts[s.ID]
	state := "hidden"
	if s.Status == news.StatusPublished && !s.Trashed {
		state = "live"
	}
	w.fts[s.ID] = ftsRow{title: s.Title, summary: s.Summary, body: text, tags: strings.Join(tags, " "),
		source: s.Source.Name, state: state, replace: seen || !isNew}
	vec := w.idx.Add(related.Story{ID: s.ID, Section: s.Section.Slug, Published: s.PublishedAt, Cluster: s.ClusterID}, f)
	if s.Status == news.StatusDraft || s.Trashed {
		w.idx.Remove(s.ID)
	}
	if _, err := w.exec(ctx, `INSERT INTO story_vectors (story_id, terms, minhash) VALUES (?, ?, ?)
		ON CONFLICT (story_id) DO UPDATE SET terms = excluded.terms, minhash = excluded.minhash`,
		s.ID, vec, f.Print.Bytes()); err != nil {
		return fmt.Errorf("write vector of story %d: %w", s.ID, err)
	}
	return nil
}

// refreshRelated places each story in ids in its cluster and recomputes
// its related list. The stories found related to one of them get it
// inserted into their own lists where it ranks (similarity is symmetric,
// so its score there is the same); stories that listed one of them before
// a change, and its copies, are recomputed in full, since it may no longer
// belong. The clusters that changed are ranked again last.
func (w *writer) refreshRelated(ctx context.Context, ids []int64) error {
	done := map[int64]bool{}
	var relisted, copies []int64
	type insertion struct {
		into, id int64
		score    float64
	}
	var inserts []insertion
	for _, id := range ids {
		listed, err := w.listedBy(ctx, id)
		if err != nil {
			return err
		}
		relisted = append(relisted, listed...)
		res, err := w.refreshOne(ctx, id, true)
		if err != nil {
			return err
		}
		done[id] = true
		for _, m := range res.Related {
			inserts = append(inserts, insertion{m.ID, id, m.Score})
		}
		for _, c := range res.Compared {
			if c.Evidence.Same {
				copies = append(copies, c.ID)
			}
		}
	}
	for _, id := range relisted {
		if !done[id] {
			done[id] = true
			if _, err := w.refreshOne(ctx, id, false); err != nil {
				return err
			}
		}
	}
	// A copy's list may predate the story that joined its cluster in this
	// write, even when the copy was written earlier in it.
	again := map[int64]bool{}
	for _, id := range copies {
		if !again[id] {
			again[id] = true
			done[id] = true
			if _, err := w.refreshOne(ctx, id, false); err != nil {
				return err
			}
		}
	}
	for _, in := range inserts {
		if done[in.into] {
			continue // its list was computed with everything in view
		}
		if err := w.insertRelated(ctx, in.into, in.id, in.score); err != nil {
			return err
		}
	}
	return w.rankDirty(ctx)
}

// insertRelated offers story id to story into's related list (kept by
// the index) and writes the list if it changed.
func (w *writer) insertRelated(ctx context.Context, into, id int64, score float64) error {
	list, changed := w.idx.Offer(into, id, score, relatedKept)
	if !changed {
		return nil
	}
	return w.writeRelated(ctx, into, list)
}

func (w *writer) writeRelated(ctx context.Context, id int64, list []related.Match) error {
	if _, err := w.exec(ctx, "DELETE FROM story_related WHERE story_id = ?", id); err != nil {
		return fmt.Errorf("delete related of story %d: %w", id, err)
	}
	if len(list) == 0 {
		return nil
	}
	// One statement for the whole list (one prepared form per length).
	args := make([]any, 0, 4*len(list))
	for i, m := range list {
		args = append(args, id, i, m.ID, m.Score)
	}
	q := "INSERT INTO story_related (story_id, position, related_id, score) VALUES (?, ?, ?, ?)" +
		strings.Repeat(", (?, ?, ?, ?)", len(list)-1)
	if _, err := w.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("insert related of story %d: %w", id, err)
	}
	return nil
}

// refreshOne recomputes story id's related list and, when place is set,
// its cluster from the copies found of it.
func (w *writer) refreshOne(ctx context.Context, id int64, place bool) (related.Result, error) {
	var placeFn func([]related.Candidate) int64
	placed := false
	var err error
	if place {
		placeFn = func(compared []related.Candidate) int64 {
			placed = true
			var cluster int64
			cluster, err = w.place(ctx, id, compared)
			return cluster
		}
	}
	res := w.idx.Related(id, relatedKept, placeFn)
	if err != nil {
		return res, err
	}
	if place && !placed {
		// Not in the index (a draft, or in the trash): it keeps its cluster,
		// whose lead may change now that it is out of view.
		if err := w.ensureCluster(ctx, id); err != nil {
			return res, err
		}
	}
	return res, w.writeRelated(ctx, id, res.Related)
}

// listedBy returns the stories whose related list holds id.
func (w *writer) listedBy(ctx context.Context, id int64) ([]int64, error) {
	return scanIDs(w.query(ctx, "SELECT story_id FROM story_related WHERE related_id = ?", id))
}

// scanIDs reads a one-column result of ids.
func scanIDs(rows *sql.Rows, err error) ([]int64, error) {
	ids, err := scanAll(rows, err, scanInt64)
	if err != nil {
		return nil, fmt.Errorf("select ids: %w", err)
	}
	return ids, nil
}
