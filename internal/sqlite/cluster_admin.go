package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
	"newsdesk/internal/store"
)

// Editors' overrides of story clusters: choose the lead, split a story out
// of a wrong merge, merge two clusters. Each is one write transaction, so
// an override and an import or poll never interleave: the one that runs
// second sees what the first did, and detection never moves a member an
// editor placed (pinned) nor joins stories an editor split apart.

// Cluster returns the cluster of story id for the newsroom: every member
// in any state, best-ranked first, with the evidence of its membership,
// and the overrides recorded on it.
func (db *DB) Cluster(ctx context.Context, storyID int64) (news.Cluster, error) {
	var c news.Cluster
	var chosen sql.NullInt64
	err := db.readQueryRow(ctx, `SELECT c.id, coalesce(c.lead_id, 0), c.chosen_lead FROM stories s
		JOIN clusters c ON c.id = s.cluster_id WHERE s.id = ?`, storyID).Scan(&c.ID, &c.Lead, &chosen)
	if err != nil {
		return c, notFound(err, "Story %d not found.", storyID)
	}
	c.ChosenLead = chosen.Int64
	list, err := db.queryStories(ctx, "SELECT "+sqlstore.CardColumns+sqlstore.StoryFrom+
		" WHERE s.cluster_id = ? ORDER BY s.cluster_rank, s.id", c.ID)
	if err != nil {
		return c, err
	}
	type membership struct {
		story    int64
		matched  sql.NullInt64
		pinned   bool
		evidence string
	}
	rows, err := queryAll(ctx, db, func(row scanner) (membership, error) {
		var m membership
		return m, row.Scan(&m.story, &m.matched, &m.pinned, &m.evidence)
	}, "SELECT story_id, matched_id, pinned, evidence FROM cluster_members WHERE cluster_id = ?", c.ID)
	if err != nil {
		return c, err
	}
	by := map[int64]membership{}
	for _, m := range rows {
		by[m.story] = m
	}
	for _, s := range list {
		m := by[s.ID]
		member := news.ClusterMember{Story: s, MatchedID: m.matched.Int64, Pinned: m.pinned}
		// The evidence as desk stored it (related.Evidence in JSON).
		var ev struct {
			Headline, Lede, Names, Numbers, Hours, Score float64
			Note                                         string
		}
		switch {
		case json.Unmarshal([]byte(m.evidence), &ev) != nil || !m.matched.Valid:
		case ev.Note != "":
			member.Evidence = ev.Note
		default:
			member.Evidence = fmt.Sprintf("lede %.2f, headline %.2f, names %.2f, numbers %.2f, %.1f h apart (score %.2f)",
				ev.Lede, ev.Headline, ev.Names, ev.Numbers, ev.Hours, ev.Score)
		}
		c.Members = append(c.Members, member)
	}
	c.Log, err = queryAll(ctx, db, func(row scanner) (news.ClusterEvent, error) {
		var e news.ClusterEvent
		var at int64
		err := row.Scan(&e.Action, &e.StoryTitle, &e.UserName, &at)
		e.At = fromUnix(at)
		return e, err
	}, `SELECT l.action, coalesce(s.title, ''), coalesce(u.name, ''), l.created_at FROM cluster_log l
		LEFT JOIN stories s ON s.id = l.story_id LEFT JOIN users u ON u.id = l.user_id
		WHERE l.cluster_id = ? ORDER BY l.created_at DESC, l.id DESC`, c.ID)
	return c, err
}

// SaveOverride records an editor's override of the clusters, with the
// changes desk decided for it.
func (db *DB) SaveOverride(ctx context.Context, o store.Override, ch store.Changes) error {
	return db.storyTx(ctx, ch, func(w *writer) error {
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
			if _, err := w.exec(ctx, "INSERT OR IGNORE INTO cluster_apart (story_id, other_id) VALUES (?, ?)", p[0], p[1]); err != nil {
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

func (w *writer) logOverride(ctx context.Context, cluster int64, action string, storyID, other, userID int64) error {
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

// storyIDByRef finds a story by its slug, its /articles/ URL or its
// original URL, for a merge form.
func (db *DB) StoryIDByRef(ctx context.Context, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if i := strings.Index(ref, "/articles/"); i >= 0 {
		ref = strings.Trim(ref[i+len("/articles/"):], "/")
	}
	var id int64
	err := db.readQueryRow(ctx, "SELECT id FROM stories WHERE slug = ? OR url = ? LIMIT 1", ref, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, news.Errorf(news.EINVALID, "No story has the slug or URL %q.", ref)
	}
	return id, err
}

// OriginalSources returns the ids of the sources taken for original (a
// wire or the site's own newsroom): their versions lead a story's cluster.
func (db *DB) OriginalSources(ctx context.Context) (map[int64]bool, error) {
	ids, err := scanIDs(db.readQuery(ctx, "SELECT id FROM sources WHERE original = 1"))
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
	return db.storyTx(ctx, ch, func(w *writer) error {
		w.keys.All() // leads change across clusters: every page goes
		res, err := w.tx.ExecContext(ctx, "UPDATE sources SET original = ? WHERE id = ?", original, id)
		if err != nil {
			return fmt.Errorf("mark source %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.Errorf(news.ENOTFOUND, "Source %d not found.", id)
		}
		return nil
	})
}
