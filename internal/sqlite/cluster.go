package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"newsdesk/internal/related"
)

// Story clusters (migration 0006). Every story belongs to one cluster,
// a singleton until a copy of it arrives. Detection (internal/related)
// compares a written story with its closest texts; place puts it in the
// cluster chosen, with the evidence, unless an editor pinned it; rankDirty
// then orders the members of each cluster that changed, lead first.

// place puts story id, just written, in the cluster its copies belong to
// (or a cluster of its own) and returns that cluster.
func (w *writer) place(ctx context.Context, id int64, compared []related.Candidate) (int64, error) {
	var cur int64
	var pinned bool
	err := w.queryRow(ctx, "SELECT cluster_id, pinned FROM cluster_members WHERE story_id = ?", id).Scan(&cur, &pinned)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("select cluster of story %d: %w", id, err)
	}
	if pinned {
		return cur, nil
	}
	// Stories of this write not placed yet have no cluster to join: they
	// will find this one when placed.
	cands := slices.DeleteFunc(slices.Clone(compared), func(c related.Candidate) bool { return c.Cluster <= 0 })
	blocked, err := w.apartClusters(ctx, id)
	if err != nil {
		return 0, err
	}
	if choice, ok := related.Choose(cands, func(c int64) bool { return blocked[c] }); ok {
		if w.joined == nil {
			w.joined = map[int64]bool{}
		}
		w.joined[id] = true
		return choice.Cluster, w.setMember(ctx, id, cur, choice.Cluster, &choice, false)
	}
	if cur != 0 {
		var others int
		if err := w.queryRow(ctx, "SELECT count(*) FROM cluster_members WHERE cluster_id = ? AND story_id != ?", cur, id).Scan(&others); err != nil {
			return 0, fmt.Errorf("count cluster %d: %w", cur, err)
		}
		if others == 0 {
			return cur, w.setMember(ctx, id, cur, cur, nil, false)
		}
	}
	cluster, err := w.newCluster(ctx, id)
	if err != nil {
		return 0, err
	}
	return cluster, w.setMember(ctx, id, cur, cluster, nil, false)
}

// newCluster adds a cluster led by story id.
func (w *writer) newCluster(ctx context.Context, id int64) (int64, error) {
	now := unix(w.db.Now())
	var cluster int64
	if err := w.queryRow(ctx, "INSERT INTO clusters (lead_id, created_at, updated_at) VALUES (?, ?, ?) RETURNING id",
		id, now, now).Scan(&cluster); err != nil {
		return 0, fmt.Errorf("add cluster for story %d: %w", id, err)
	}
	return cluster, nil
}

// setMember records story id in cluster (moving it from cluster from, 0
// for none) with the evidence of the match, nil for a story alone. It
// leaves the related index alone: place runs while the index is locked,
// and the index records the cluster place returns.
func (w *writer) setMember(ctx context.Context, id, from, cluster int64, match *related.Candidate, pinned bool) error {
	var matched sql.NullInt64
	score, evidence := 0.0, "{}"
	if match != nil {
		matched = sql.NullInt64{Int64: match.ID, Valid: true}
		score = match.Evidence.Score
		b, _ := json.Marshal(match.Evidence)
		evidence = string(b)
	}
	if _, err := w.exec(ctx, `INSERT INTO cluster_members (story_id, cluster_id, matched_id, score, evidence, pinned, joined_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (story_id) DO UPDATE SET
		joined_at = CASE WHEN cluster_id = excluded.cluster_id THEN joined_at ELSE excluded.joined_at END,
		cluster_id = excluded.cluster_id, matched_id = excluded.matched_id, score = excluded.score,
		evidence = excluded.evidence, pinned = excluded.pinned`,
		id, cluster, matched, score, evidence, pinned, unix(w.db.Now())); err != nil {
		return fmt.Errorf("write cluster member %d: %w", id, err)
	}
	if from == cluster && match == nil {
		return nil // alone, and staying so
	}
	if _, err := w.exec(ctx, "UPDATE stories SET cluster_id = ? WHERE id = ?", cluster, id); err != nil {
		return fmt.Errorf("update cluster of story %d: %w", id, err)
	}
	if from != 0 || match != nil {
		// A new story alone leads its new cluster already (rank 0).
		w.markDirty(from, cluster)
	}
	return nil
}

func (w *writer) markDirty(clusters ...int64) {
	if w.dirty == nil {
		w.dirty = map[int64]bool{}
	}
	for _, c := range clusters {
		if c > 0 {
			w.dirty[c] = true
		}
	}
}

// ensureCluster gives story id a cluster of its own if it has none, and
// marks its cluster for ranking again.
func (w *writer) ensureCluster(ctx context.Context, id int64) error {
	var cur int64
	err := w.queryRow(ctx, "SELECT cluster_id FROM cluster_members WHERE story_id = ?", id).Scan(&cur)
	if err == nil {
		w.markDirty(cur)
		return nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("select cluster of story %d: %w", id, err)
	}
	cluster, err := w.newCluster(ctx, id)
	if err != nil {
		return err
	}
	return w.setMember(ctx, id, 0, cluster, nil, false)
}

// apartClusters returns the clusters holding a story an editor split
// story id from.
func (w *writer) apartClusters(ctx context.Context, id int64) (map[int64]bool, error) {
	ids, err := scanIDs(w.query(ctx, `SELECT s.cluster_id FROM cluster_apart a JOIN stories s ON s.id = a.other_id WHERE a.story_id = ?
		UNION SELECT s.cluster_id FROM cluster_apart a JOIN stories s ON s.id = a.story_id WHERE a.other_id = ?`, id, id))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for _, c := range ids {
		out[c] = true
	}
	return out, nil
}

// rankDirty ranks the members of every cluster that changed in this
// write, lead first, and drops clusters left empty.
func (w *writer) rankDirty(ctx context.Context) error {
	ids := slices.Sorted(maps.Keys(w.dirty))
	for _, c := range ids {
		if err := w.rank(ctx, c); err != nil {
			return err
		}
	}
	w.dirty = nil
	return nil
}

// rank orders cluster's members by related.LeadOrder and records the lead.
func (w *writer) rank(ctx context.Context, cluster int64) error {
	type member struct {
		related.Member
		rank int
	}
	rows, err := w.query(ctx, `SELECT s.id, s.published_at, src.original, coalesce(v.minhash, x''),
		s.status != 'draft' AND s.deleted_at IS NULL, s.cluster_rank
		FROM stories s JOIN sources src ON src.id = s.source_id LEFT JOIN story_vectors v ON v.story_id = s.id
		WHERE s.cluster_id = ?`, cluster)
	if err != nil {
		return fmt.Errorf("select members of cluster %d: %w", cluster, err)
	}
	var members []member
	for rows.Next() {
		var m member
		var pub int64
		var print []byte
		if err := rows.Scan(&m.ID, &pub, &m.Original, &print, &m.Visible, &m.rank); err != nil {
			rows.Close()
			return err
		}
		m.Published = fromUnix(pub)
		fp, _ := related.FingerprintFrom(print)
		m.Full = fp.Full()
		members = append(members, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(members) == 0 {
		_, err := w.exec(ctx, "DELETE FROM clusters WHERE id = ?", cluster)
		return err
	}
	var chosen sql.NullInt64
	if err := w.queryRow(ctx, "SELECT chosen_lead FROM clusters WHERE id = ?", cluster).Scan(&chosen); err != nil {
		return fmt.Errorf("select cluster %d: %w", cluster, err)
	}
	plain := make([]related.Member, len(members))
	was := map[int64]int{}
	for i, m := range members {
		plain[i] = m.Member
		was[m.ID] = m.rank
	}
	order := related.LeadOrder(plain, chosen.Int64)
	for rank, id := range order {
		if was[id] == rank {
			continue
		}
		if _, err := w.exec(ctx, "UPDATE stories SET cluster_rank = ? WHERE id = ?", rank, id); err != nil {
			return fmt.Errorf("rank story %d: %w", id, err)
		}
	}
	if _, err := w.exec(ctx, "UPDATE clusters SET lead_id = ?, updated_at = ? WHERE id = ?", order[0], unix(w.db.Now()), cluster); err != nil {
		return fmt.Errorf("lead of cluster %d: %w", cluster, err)
	}
	return nil
}
