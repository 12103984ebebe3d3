package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

// Execer is a store's write transaction: it runs a statement (with ?
// placeholders) and says how many rows it changed.
type Execer interface {
	ExecRows(ctx context.Context, query string, args ...any) (int64, error)
}

// Editors' overrides of story clusters: choose the lead, split a story out
// of a wrong merge, merge two clusters. Each is one write transaction, so
// an override and an import or poll never interleave: the one that runs
// second sees what the first did, and detection never moves a member an
// editor placed (pinned) nor joins stories an editor split apart.

// SaveOverride writes an editor's override o of the clusters, logged at
// now (Unix seconds), in the write transaction x.
func SaveOverride(ctx context.Context, x Execer, o store.Override, now int64) error {
	switch o.Action {
	case "lead":
		if _, err := x.ExecRows(ctx, "UPDATE clusters SET chosen_lead = ? WHERE id = ?", o.ChosenLead, o.Cluster); err != nil {
			return fmt.Errorf("choose lead of cluster %d: %w", o.Cluster, err)
		}
	case "split":
		if o.ClearChosen {
			if _, err := x.ExecRows(ctx, "UPDATE clusters SET chosen_lead = NULL WHERE id = ? AND chosen_lead = ?", o.Cluster, o.Story); err != nil {
				return err
			}
		}
	}
	for _, p := range o.Apart {
		if _, err := x.ExecRows(ctx, "INSERT INTO cluster_apart (story_id, other_id) VALUES (?, ?) ON CONFLICT DO NOTHING", p[0], p[1]); err != nil {
			return fmt.Errorf("keep stories %d and %d apart: %w", p[0], p[1], err)
		}
	}
	for _, p := range o.Together {
		if _, err := x.ExecRows(ctx, "DELETE FROM cluster_apart WHERE story_id = ? AND other_id = ? OR story_id = ? AND other_id = ?",
			p[0], p[1], p[1], p[0]); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	var user, other sql.NullInt64
	if o.UserID != 0 {
		user = sql.NullInt64{Int64: o.UserID, Valid: true}
	}
	if o.Other != 0 {
		other = sql.NullInt64{Int64: o.Other, Valid: true}
	}
	if _, err := x.ExecRows(ctx, `INSERT INTO cluster_log (cluster_id, action, story_id, other_id, user_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, o.Cluster, o.Action, o.Story, other, user, now); err != nil {
		return fmt.Errorf("log %s of cluster %d: %w", o.Action, o.Cluster, err)
	}
	return nil
}

// SaveSourceOriginal marks source id original or not in the write
// transaction x.
func SaveSourceOriginal(ctx context.Context, x Execer, id int64, original bool) error {
	n, err := x.ExecRows(ctx, "UPDATE sources SET original = ? WHERE id = ?", original, id)
	if err != nil {
		return fmt.Errorf("mark source %d: %w", id, err)
	}
	if n == 0 {
		return news.Errorf(news.ENOTFOUND, "Source %d not found.", id)
	}
	return nil
}
