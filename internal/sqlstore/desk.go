package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

// Reads are the reads both stores make alike, over Q. A store embeds
// Reads, so that their methods are its own.
type Reads struct {
	Q Querier
	// Now is the store's clock (the store's own Now, which tests set).
	Now func() time.Time
	// TextTodoFrom is the table TextTodo reads, with what the dialect
	// adds (SQLite: the index to use).
	TextTodoFrom string
	// ClusterOf is the table that tells a related list's stories' clusters
	// (alias rm), with what the dialect adds (SQLite: a small index, as
	// the story rows are large).
	ClusterOf string
	// Cache, when set, keeps the cards and lists of ids the public
	// lists read (Cards, Stories).
	Cache *Cache
}

// What the application layer (internal/desk) reads to load its related
// index and to decide a write: committed state, from the read pool.

// FeedHash is the fingerprint of story s an import compares with: what
// the feed last gave, or for stories stored before story_edits, the
// story's own.
const FeedHash = "coalesce(nullif((SELECT e.feed_hash FROM story_edits e WHERE e.story_id = s.id), ''), s.content_hash)"

// DueStories is the condition for scheduled stories whose time has come;
// its one argument is the current Unix time.
const DueStories = "status = 'scheduled' AND published_at <= ? AND deleted_at IS NULL"

// IndexStories calls fn with every story of the related index: neither a
// draft nor trashed, with a vector.
func (r Reads) IndexStories(ctx context.Context, fn func(store.Indexed) error) error {
	rows, err := r.Q.Query(ctx, `SELECT s.id, coalesce(sec.slug, ''), s.published_at, s.cluster_id,
		v.terms, v.minhash FROM stories s JOIN story_vectors v ON v.story_id = s.id
		LEFT JOIN sections sec ON sec.id = s.section_id
		WHERE`+Listed("s")+` ORDER BY s.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	// One row's variables and the list of them, made once: Scan through
	// an interface would otherwise allocate them on every row. Each row
	// sets every field.
	var st store.Indexed
	var pub int64
	dest := []any{&st.ID, &st.Section, &pub, &st.Cluster, &st.Vector, &st.Print}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		st.Published = FromUnix(pub)
		if err := fn(st); err != nil {
			return err
		}
	}
	return rows.Err()
}

// IndexLists calls fn with every stored related list, best first (ties
// by id, as related.Index ranks).
func (r Reads) IndexLists(ctx context.Context, fn func(id int64, list []store.Match) error) error {
	rows, err := r.Q.Query(ctx, `SELECT r.story_id, r.related_id, s.cluster_id, r.score
		FROM story_related r JOIN stories s ON s.id = r.related_id ORDER BY r.story_id, r.score DESC, r.related_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur int64
	var list []store.Match
	var id int64
	var m store.Match
	dest := []any{&id, &m.ID, &m.Cluster, &m.Score} // made once, as in IndexStories
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
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
func (r Reads) StoredByKeys(ctx context.Context, stories []*news.Story) (map[*news.Story]store.Stored, error) {
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
		in, arg := r.Q.InStrings(keys)
		rows, err := QueryAll(ctx, r.Q, func(r Row) (row, error) {
			var x row
			return x, r.Scan(&x.key, &x.st.ID, &x.st.Slug, &x.st.FeedHash, &x.st.Trashed, &x.fields)
		}, "SELECT s."+col+", s.id, s.slug, "+FeedHash+`, s.deleted_at IS NOT NULL,
			coalesce((SELECT e.editor_fields FROM story_edits e WHERE e.story_id = s.id), '')
			FROM stories s WHERE s.`+col+in, arg)
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
func (r Reads) Memberships(ctx context.Context, ids []int64) (map[int64]store.Membership, error) {
	in, arg := r.Q.InIDs(ids)
	return queryMap(ctx, r.Q, func(r Row) (id int64, m store.Membership, err error) {
		return id, m, r.Scan(&id, &m.Cluster, &m.Pinned)
	}, "SELECT story_id, cluster_id, pinned FROM cluster_members WHERE story_id"+in, arg)
}

// ClusterMembers returns the stories of cluster and its chosen lead.
func (r Reads) ClusterMembers(ctx context.Context, cluster int64) ([]store.ClusterMember, int64, error) {
	list, err := QueryAll(ctx, r.Q, func(r Row) (store.ClusterMember, error) {
		var m store.ClusterMember
		var pub int64
		err := r.Scan(&m.ID, &pub, &m.Original, &m.Print, &m.Visible, &m.Rank, &m.SourceID)
		m.Published = FromUnix(pub)
		return m, err
	}, `SELECT s.id, s.published_at, src.original, v.minhash,
		s.status != 'draft' AND s.deleted_at IS NULL, s.cluster_rank, s.source_id
		FROM stories s JOIN sources src ON src.id = s.source_id LEFT JOIN story_vectors v ON v.story_id = s.id
		WHERE s.cluster_id = ? ORDER BY s.id`, cluster)
	if err != nil {
		return nil, 0, fmt.Errorf("select members of cluster %d: %w", cluster, err)
	}
	var chosen int64
	if err := r.Q.QueryRow(ctx, "SELECT coalesce(chosen_lead, 0) FROM clusters WHERE id = ?", cluster).Scan(&chosen); err != nil && len(list) > 0 {
		return nil, 0, fmt.Errorf("select cluster %d: %w", cluster, err)
	}
	return list, chosen, nil
}

// ClustersOf returns the cluster of each story.
func (r Reads) ClustersOf(ctx context.Context, ids []int64) (map[int64]int64, error) {
	in, arg := r.Q.InIDs(ids)
	return queryMap(ctx, r.Q, func(r Row) (id, cluster int64, err error) {
		return id, cluster, r.Scan(&id, &cluster)
	}, "SELECT id, cluster_id FROM stories WHERE id"+in, arg)
}

// ApartFrom returns the stories an editor split story id from.
func (r Reads) ApartFrom(ctx context.Context, id int64) ([]int64, error) {
	return ScanIDs(r.Q.Query(ctx, "SELECT other_id FROM cluster_apart WHERE story_id = ? UNION SELECT story_id FROM cluster_apart WHERE other_id = ?", id, id))
}

// ListedBy returns the stories whose related list holds id.
func (r Reads) ListedBy(ctx context.Context, id int64) ([]int64, error) {
	return ScanIDs(r.Q.Query(ctx, "SELECT story_id FROM story_related WHERE related_id = ?", id))
}

// SourceInfo returns what is stored of each named source.
func (r Reads) SourceInfo(ctx context.Context, names []string) (map[string]store.SourceInfo, error) {
	in, arg := r.Q.InStrings(names)
	return queryMap(ctx, r.Q, func(r Row) (name string, info store.SourceInfo, err error) {
		info.Exists = true
		return name, info, r.Scan(&name, &info.Original, &info.HasStories)
	}, `SELECT src.name, src.original, EXISTS (SELECT 1 FROM stories s WHERE s.source_id = src.id)
		FROM sources src WHERE src.name`+in, arg)
}

// StoryIDsOf returns the stories of a source or tag, the trashed ones, or
// the scheduled ones due at Unix time id.
func (r Reads) StoryIDsOf(ctx context.Context, kind string, id int64) ([]int64, error) {
	switch kind {
	case "sources":
		return ScanIDs(r.Q.Query(ctx, "SELECT id FROM stories WHERE source_id = ? ORDER BY id", id))
	case "tags":
		return ScanIDs(r.Q.Query(ctx, "SELECT story_id FROM story_tags WHERE tag_id = ? ORDER BY story_id", id))
	case "trash":
		return ScanIDs(r.Q.Query(ctx, "SELECT id FROM stories WHERE deleted_at IS NOT NULL ORDER BY id"))
	case "due":
		return ScanIDs(r.Q.Query(ctx, "SELECT id FROM stories WHERE "+DueStories+" ORDER BY id", id))
	}
	return nil, fmt.Errorf("stories of %q: unknown kind", kind)
}

// TextTodo returns up to limit stories stored before their plain text was
// kept (SQLite's migration 0009; a PostgreSQL site copied from such a
// file), by id, with their Markdown bodies.
func (r Reads) TextTodo(ctx context.Context, limit int) (map[int64]string, error) {
	out, err := queryMap(ctx, r.Q, func(r Row) (id int64, body string, err error) {
		return id, body, r.Scan(&id, &body)
	}, "SELECT id, body FROM "+r.TextTodoFrom+" WHERE body_text IS NULL LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("select stories without text: %w", err)
	}
	return out, nil
}

// queryMap runs query on q and keeps what scan makes of each row by its
// key.
func queryMap[K comparable, V any](ctx context.Context, q Querier, scan func(Row) (K, V, error), query string, args ...any) (map[K]V, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query %.40q: %w", query, err)
	}
	defer rows.Close()
	out := map[K]V{}
	for rows.Next() {
		k, v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// FromUnix is the time of Unix seconds s, in UTC: both stores keep times
// as Unix seconds.
func FromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// Unix is t in Unix seconds.
func Unix(t time.Time) int64 { return t.UTC().Unix() }
