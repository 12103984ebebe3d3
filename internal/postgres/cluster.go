package postgres

import (
	"context"
	"maps"
	"slices"

	"newsdesk/internal/store"
)

// Story clusters. Every story belongs to one cluster,
// a singleton until a copy of it arrives. Desk decides which; apply
// stores its decisions with the related lists it computed.

// apply stores what desk decided for one write, in the order documented
// on store.Changes.
func (w *tx) apply(ctx context.Context, ch store.Changes) error {
	now := unix(w.db.Now())
	for _, c := range ch.NewClusters {
		w.queue("INSERT INTO clusters (id, lead_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
			c.ID, c.Lead, now, now)
	}
	for _, m := range ch.Members {
		if err := w.setMember(ctx, m, now); err != nil {
			return err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(ch.Ranks)) {
		w.queue("UPDATE stories SET cluster_rank = ? WHERE id = ?", ch.Ranks[id], id)
	}
	for _, c := range slices.Sorted(maps.Keys(ch.Leads)) {
		w.queue("UPDATE clusters SET lead_id = ?, updated_at = ? WHERE id = ?", ch.Leads[c], now, c)
	}
	for _, c := range ch.Dropped {
		w.queue("DELETE FROM clusters WHERE id = ?", c)
	}
	for _, id := range slices.Sorted(maps.Keys(ch.Lists)) {
		was, known := ch.ListsWas[id]
		if err := w.writeRelated(ctx, id, ch.Lists[id], was, known); err != nil {
			return err
		}
	}
	for _, s := range ch.Reindexed {
		if err := w.index(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// setMember records a story's cluster with the evidence of its match.
func (w *tx) setMember(ctx context.Context, m store.Member, now int64) error {
	var matched any
	if m.Matched != 0 {
		matched = m.Matched
	}
	w.queue(`INSERT INTO cluster_members (story_id, cluster_id, matched_id, score, evidence, pinned, joined_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (story_id) DO UPDATE SET
		joined_at = CASE WHEN cluster_members.cluster_id = excluded.cluster_id THEN cluster_members.joined_at ELSE excluded.joined_at END,
		cluster_id = excluded.cluster_id, matched_id = excluded.matched_id, score = excluded.score,
		evidence = excluded.evidence, pinned = excluded.pinned`,
		m.Story, m.Cluster, matched, m.Score, m.Evidence, m.Pinned, now)
	w.queue("UPDATE stories SET cluster_id = ? WHERE id = ? AND cluster_id != ?", m.Cluster, m.Story, m.Cluster)
	return nil
}
