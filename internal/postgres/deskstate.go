package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

// What the application layer (internal/desk) reads to load its related
// index and to decide a write, and the writes it makes that no other
// file has. Reads go to the read pool: desk reads committed state.

// Clock is the store's clock (Now).
func (db *DB) Clock() time.Time { return db.Now() }

// IndexStories calls fn with every story of the related index: neither a
// draft nor trashed, with a vector.
func (db *DB) IndexStories(ctx context.Context, fn func(store.Indexed) error) error {
	rows, err := db.query(ctx, `SELECT s.id, coalesce(sec.slug, ''), s.published_at, s.cluster_id,
		v.terms, v.minhash FROM stories s JOIN story_vectors v ON v.story_id = s.id
		LEFT JOIN sections sec ON sec.id = s.section_id
		WHERE s.deleted_at IS NULL AND s.status != 'draft' ORDER BY s.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var st store.Indexed
		var pub int64
		if err := rows.Scan(&st.ID, &st.Section, &pub, &st.Cluster, &st.Vector, &st.Print); err != nil {
			return err
		}
		st.Published = fromUnix(pub)
		if err := fn(st); err != nil {
			return err
		}
	}
	return rows.Err()
}

// IndexLists calls fn with every stored related list.
func (db *DB) IndexLists(ctx context.Context, fn func(id int64, list []store.Match) error) error {
	rows, err := db.query(ctx, `SELECT r.story_id, r.related_id, s.cluster_id, r.score
		FROM story_related r JOIN stories s ON s.id = r.related_id ORDER BY r.story_id, r.position`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur int64
	var list []store.Match
	for rows.Next() {
		var id int64
		var m store.Match
		if err := rows.Scan(&id, &m.ID, &m.Cluster, &m.Score); err != nil {
			return err
		}
		if id != cur && list != nil {
			if err := fn(cur, list); err != nil {
				return err
			}
			list = nil
		}
		cur = id
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if list != nil {
		return fn(cur, list)
	}
	return nil
}

// storyKey is the column and value that identify s across imports.
func storyKey(s *news.Story) (col, val string) {
	if s.URL != "" {
		return "url", s.URL
	}
	return "guid", s.GUID
}

// StoredByKeys returns the stored story each of stories matches by URL,
// else GUID.
func (db *DB) StoredByKeys(ctx context.Context, stories []*news.Story) (map[*news.Story]store.Stored, error) {
	out := map[*news.Story]store.Stored{}
	for _, col := range []string{"url", "guid"} {
		var keys []string
		for _, s := range stories {
			if k, v := storyKey(s); k == col && v != "" {
				keys = append(keys, v)
			}
		}
		if len(keys) == 0 {
			continue
		}
		type row struct {
			key    string
			st     store.Stored
			fields string
		}
		rows, err := queryAll(ctx, db.pool, func(r scanner) (row, error) {
			var x row
			return x, r.Scan(&x.key, &x.st.ID, &x.st.Slug, &x.st.FeedHash, &x.st.Trashed, &x.fields)
		}, "SELECT s."+col+", s.id, s.slug, "+feedHashExpr+`, s.deleted_at IS NOT NULL,
			coalesce((SELECT e.editor_fields FROM story_edits e WHERE e.story_id = s.id), '')
			FROM stories s WHERE s.`+col+" = ANY(?)", keys)
		if err != nil {
			return nil, err
		}
		by := map[string]store.Stored{}
		for _, r := range rows {
			if r.fields != "" {
				r.st.EditorFields = strings.Split(r.fields, ",")
			}
			by[r.key] = r.st
		}
		for _, s := range stories {
			if k, v := storyKey(s); k == col {
				if st, ok := by[v]; ok {
					out[s] = st
				}
			}
		}
	}
	return out, nil
}

// Memberships returns the cluster_members row of each story.
func (db *DB) Memberships(ctx context.Context, ids []int64) (map[int64]store.Membership, error) {
	type row struct {
		id int64
		m  store.Membership
	}
	rows, err := queryAll(ctx, db.pool, func(r scanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.m.Cluster, &x.m.Pinned)
	}, "SELECT story_id, cluster_id, pinned FROM cluster_members WHERE story_id = ANY(?)", ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]store.Membership, len(rows))
	for _, r := range rows {
		out[r.id] = r.m
	}
	return out, nil
}

// ClusterMembers returns the stories of cluster and its chosen lead.
func (db *DB) ClusterMembers(ctx context.Context, cluster int64) ([]store.ClusterMember, int64, error) {
	list, err := queryAll(ctx, db.pool, func(r scanner) (store.ClusterMember, error) {
		var m store.ClusterMember
		var pub int64
		err := r.Scan(&m.ID, &pub, &m.Original, &m.Print, &m.Visible, &m.Rank, &m.SourceID)
		m.Published = fromUnix(pub)
		return m, err
	}, `SELECT s.id, s.published_at, src.original, v.minhash,
		s.status != 'draft' AND s.deleted_at IS NULL, s.cluster_rank, s.source_id
		FROM stories s JOIN sources src ON src.id = s.source_id LEFT JOIN story_vectors v ON v.story_id = s.id
		WHERE s.cluster_id = ? ORDER BY s.id`, cluster)
	if err != nil {
		return nil, 0, fmt.Errorf("select members of cluster %d: %w", cluster, err)
	}
	var chosen int64
	if err := db.queryRow(ctx, "SELECT coalesce(chosen_lead, 0) FROM clusters WHERE id = ?", cluster).Scan(&chosen); err != nil && len(list) > 0 {
		return nil, 0, fmt.Errorf("select cluster %d: %w", cluster, err)
	}
	return list, chosen, nil
}

// ClustersOf returns the cluster of each story.
func (db *DB) ClustersOf(ctx context.Context, ids []int64) (map[int64]int64, error) {
	type row struct{ id, cluster int64 }
	rows, err := queryAll(ctx, db.pool, func(r scanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.cluster)
	}, "SELECT id, cluster_id FROM stories WHERE id = ANY(?)", ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.id] = r.cluster
	}
	return out, nil
}

// ApartFrom returns the stories an editor split story id from.
func (db *DB) ApartFrom(ctx context.Context, id int64) ([]int64, error) {
	return scanIDs(db.query(ctx, "SELECT other_id FROM cluster_apart WHERE story_id = ? UNION SELECT story_id FROM cluster_apart WHERE other_id = ?", id, id))
}

// ListedBy returns the stories whose related list holds id.
func (db *DB) ListedBy(ctx context.Context, id int64) ([]int64, error) {
	return scanIDs(db.query(ctx, "SELECT story_id FROM story_related WHERE related_id = ?", id))
}

// SourceInfo returns what is stored of each named source.
func (db *DB) SourceInfo(ctx context.Context, names []string) (map[string]store.SourceInfo, error) {
	type row struct {
		name string
		info store.SourceInfo
	}
	rows, err := queryAll(ctx, db.pool, func(r scanner) (row, error) {
		x := row{info: store.SourceInfo{Exists: true}}
		return x, r.Scan(&x.name, &x.info.Original, &x.info.HasStories)
	}, `SELECT src.name, src.original, EXISTS (SELECT 1 FROM stories s WHERE s.source_id = src.id)
		FROM sources src WHERE src.name = ANY(?)`, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.SourceInfo, len(rows))
	for _, r := range rows {
		out[r.name] = r.info
	}
	return out, nil
}

// StoryIDsOf returns the stories of a source or tag, the trashed ones, or
// the scheduled ones due at Unix time id.
func (db *DB) StoryIDsOf(ctx context.Context, kind string, id int64) ([]int64, error) {
	switch kind {
	case "sources":
		return scanIDs(db.query(ctx, "SELECT id FROM stories WHERE source_id = ? ORDER BY id", id))
	case "tags":
		return scanIDs(db.query(ctx, "SELECT story_id FROM story_tags WHERE tag_id = ? ORDER BY story_id", id))
	case "trash":
		return scanIDs(db.query(ctx, "SELECT id FROM stories WHERE deleted_at IS NOT NULL ORDER BY id"))
	case "due":
		return scanIDs(db.query(ctx, "SELECT id FROM stories WHERE "+dueStories+" ORDER BY id", id))
	}
	return nil, fmt.Errorf("stories of %q: unknown kind", kind)
}

// TextTodo returns up to limit stories stored before their plain text was
// kept (a site copied from an old SQLite file), by id, with their
// Markdown bodies.
func (db *DB) TextTodo(ctx context.Context, limit int) (map[int64]string, error) {
	type row struct {
		id   int64
		body string
	}
	rows, err := queryAll(ctx, db.pool, func(r scanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.body)
	}, "SELECT id, body FROM stories WHERE body_text IS NULL LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("select stories without text: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.id] = r.body
	}
	return out, nil
}

// SaveText stores the plain text of stories stored before it was kept.
func (db *DB) SaveText(ctx context.Context, texts map[int64]string) error {
	return db.transact(ctx, func(w *tx) error {
		w.quiet = true
		for id, t := range texts {
			if _, err := w.exec(ctx, "UPDATE stories SET body_text = ? WHERE id = ?", t, id); err != nil {
				return fmt.Errorf("fill text of story %d: %w", id, err)
			}
		}
		// A site copied without the text was indexed without its bodies.
		return w.reindexSearch(ctx, slices.Collect(maps.Keys(texts)))
	})
}

// ReserveIDs hands out story and cluster ids that no other write, in this
// process or another, will use.
func (db *DB) ReserveIDs(ctx context.Context, stories, clusters int) (firstStory, firstCluster int64, err error) {
	if stories == 0 && clusters == 0 {
		return 0, 0, nil
	}
	err = db.transact(ctx, func(w *tx) error {
		w.quiet = true
		for _, r := range []struct {
			table string
			n     int
			first *int64
		}{{"stories", stories, &firstStory}, {"clusters", clusters, &firstCluster}} {
			if r.n == 0 {
				continue
			}
			if err := w.queryRow(ctx, `UPDATE reserved_ids SET next = greatest(next, coalesce((SELECT max(id) FROM `+r.table+`), 0) + 1) + ?
				WHERE name = ? RETURNING next - ?`, r.n, r.table, r.n).Scan(r.first); err != nil {
				return fmt.Errorf("reserve %s ids: %w", r.table, err)
			}
		}
		return nil
	})
	return firstStory, firstCluster, err
}

// SaveImport stores an import batch as desk made it, then ch.
func (db *DB) SaveImport(ctx context.Context, items []store.Imported, ch store.Changes) error {
	return db.storyTx(ctx, ch, func(w *tx) error {
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.Story.Story.ID
		}
		if err := w.keys.Touch(ctx, ids...); err != nil {
			return err
		}
		for _, it := range items {
			if err := w.saveImported(ctx, it); err != nil {
				return err
			}
		}
		return nil
	})
}

// SaveChanges stores ch alone.
func (db *DB) SaveChanges(ctx context.Context, ch store.Changes) error {
	return db.storyTx(ctx, ch, nil)
}
