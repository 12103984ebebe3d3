package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

// Editors' overrides of story clusters: choose the lead, split a story out
// of a wrong merge, merge two clusters. Each is one write transaction, so
// an override and an import or poll never interleave: the one that runs
// second sees what the first did, and detection never moves a member an
// editor placed (pinned) nor joins stories an editor split apart.

// SaveOverride records an editor's override of the clusters, with the
// changes desk decided for it.
func (db *DB) SaveOverride(ctx context.Context, o store.Override, ch store.Changes) error {
	return db.storyTx(ctx, ch, func(w *tx) error {
		w.keys.All() // an editor's rare override: every page goes
		switch o.Action {
		case "lead":
			if _, err := w.exec(ctx, "UPDATE clusters SET chosen_lead = ? WHERE id = ?", o.ChosenLead, o.Cluster); err != nil {
				return fmt.Errorf("choose lead of cluster %d: %w", o.Cluster, err)
			}
		case "split":
			if o.ClearChosen {
				if _, err := w.exec(ctx, "UPDATE clusters SET chosen_lead = NULL WHERE id = ? AND chosen_lead = ?", o.Cluster, o.Story); err != nil {
					return err
				}
			}
		}
		for _, p := range o.Apart {
			if _, err := w.exec(ctx, "INSERT INTO cluster_apart (story_id, other_id) VALUES (?, ?) ON CONFLICT DO NOTHING", p[0], p[1]); err != nil {
				return fmt.Errorf("keep stories %d and %d apart: %w", p[0], p[1], err)
			}
		}
		for _, p := range o.Together {
			if _, err := w.exec(ctx, "DELETE FROM cluster_apart WHERE story_id = ? AND other_id = ? OR story_id = ? AND other_id = ?",
				p[0], p[1], p[1], p[0]); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		}
		return w.logOverride(ctx, o.Cluster, o.Action, o.Story, o.Other, o.UserID)
	})
}

func (w *tx) logOverride(ctx context.Context, cluster int64, action string, storyID, other, userID int64) error {
	var user, otherID sql.NullInt64
	if userID != 0 {
		user = sql.NullInt64{Int64: userID, Valid: true}
	}
	if other != 0 {
		otherID = sql.NullInt64{Int64: other, Valid: true}
	}
	if _, err := w.exec(ctx, `INSERT INTO cluster_log (cluster_id, action, story_id, other_id, user_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, cluster, action, storyID, otherID, user, unix(w.db.Now())); err != nil {
		return fmt.Errorf("log %s of cluster %d: %w", action, cluster, err)
	}
	return nil
}

// OriginalSources returns the ids of the sources taken for original (a
// wire or the site's own newsroom): their versions lead a story's cluster.
func (db *DB) OriginalSources(ctx context.Context) (map[int64]bool, error) {
	ids, err := scanIDs(db.query(ctx, "SELECT id FROM sources WHERE original = true"))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// SaveSourceOriginal marks source id original or not, with the new
// ranks of the clusters holding its stories.
func (db *DB) SaveSourceOriginal(ctx context.Context, id int64, original bool, ch store.Changes) error {
	return db.storyTx(ctx, ch, func(w *tx) error {
		w.keys.All() // leads change across clusters: every page goes
		res, err := w.exec(ctx, "UPDATE sources SET original = ? WHERE id = ?", original, id)
		if err != nil {
			return fmt.Errorf("mark source %d: %w", id, err)
		}
		if n := res.RowsAffected(); n == 0 {
			return news.Errorf(news.ENOTFOUND, "Source %d not found.", id)
		}
		return nil
	})
}
