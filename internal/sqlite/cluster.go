package sqlite

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"newsdesk/internal/store"
)

// Story clusters (migration 0006). Every story belongs to one cluster,
// a singleton until a copy of it arrives. Desk decides which; apply
// stores its decisions with the related lists it computed.

// apply stores what desk decided for one write, in the order documented
// on store.Changes.
func (w *writer) apply(ctx context.Context, ch store.Changes) error {
	now := unix(w.db.Now())
	for _, c := range ch.NewClusters {
		if _, err := w.exec(ctx, "INSERT INTO clusters (id, lead_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
			c.ID, c.Lead, now, now); err != nil {
			return fmt.Errorf("add cluster for story %d: %w", c.Lead, err)
		}
	}
	for _, m := range ch.Members {
		if err := w.setMember(ctx, m, now); err != nil {
			return err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(ch.Ranks)) {
		if _, err := w.exec(ctx, "UPDATE stories SET cluster_rank = ? WHERE id = ?", ch.Ranks[id], id); err != nil {
			return fmt.Errorf("rank story %d: %w", id, err)
		}
	}
	for _, c := range slices.Sorted(maps.Keys(ch.Leads)) {
		if _, err := w.exec(ctx, "UPDATE clusters SET lead_id = ?, updated_at = ? WHERE id = ?", ch.Leads[c], now, c); err != nil {
			return fmt.Errorf("lead of cluster %d: %w", c, err)
		}
	}
	for _, c := range ch.Dropped {
		if _, err := w.exec(ctx, "DELETE FROM clusters WHERE id = ?", c); err != nil {
			return fmt.Errorf("drop cluster %d: %w", c, err)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(ch.Lists)) {
		was, known := ch.ListsWas[id]
		if err := w.writeRelated(ctx, id, ch.Lists[id], was, known); err != nil {
			return err
		}
	}
	for _, s := range ch.Reindexed {
		if err := w.index(ctx, s, false); err != nil {
			return err
		}
	}
	return nil
}

// setMember records a story's cluster with the evidence of its match.
func (w *writer) setMember(ctx context.Context, m store.Member, now int64) error {
	var matched any
	if m.Matched != 0 {
		matched = m.Matched
	}
	if _, err := w.exec(ctx, `INSERT INTO cluster_members (story_id, cluster_id, matched_id, score, evidence, pinned, joined_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (story_id) DO UPDATE SET
		joined_at = CASE WHEN cluster_id = excluded.cluster_id THEN joined_at ELSE excluded.joined_at END,
		cluster_id = excluded.cluster_id, matched_id = excluded.matched_id, score = excluded.score,
		evidence = excluded.evidence, pinned = excluded.pinned`,
		m.Story, m.Cluster, matched, m.Score, m.Evidence, m.Pinned, now); err != nil {
		return fmt.Errorf("write cluster member %d: %w", m.Story, err)
	}
	if _, err := w.exec(ctx, "UPDATE stories SET cluster_id = ? WHERE id = ? AND cluster_id != ?", m.Cluster, m.Story, m.Cluster); err != nil {
		return fmt.Errorf("update cluster of story %d: %w", m.Story, err)
	}
	return nil
}
