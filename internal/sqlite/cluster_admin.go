package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"newsdesk/internal/news"
	"newsdesk/internal/related"
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
	list, err := db.queryStories(ctx, "SELECT "+cardColumns+storyFrom+
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
		var ev related.Evidence
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

// ChooseLead makes story id the lead of its cluster: lists show it for
// the story while readers can see it.
func (db *DB) ChooseLead(ctx context.Context, storyID, userID int64) error {
	return db.writeTx(ctx, func(w *writer) error {
		cluster, err := w.clusterOf(ctx, storyID)
		if err != nil {
			return err
		}
		if _, err := w.exec(ctx, "UPDATE clusters SET chosen_lead = ? WHERE id = ?", storyID, cluster); err != nil {
			return fmt.Errorf("choose lead of cluster %d: %w", cluster, err)
		}
		if err := w.logOverride(ctx, cluster, "lead", storyID, 0, userID); err != nil {
			return err
		}
		w.markDirty(cluster)
		return w.rankDirty(ctx)
	})
}

// SplitStory takes story id out of its cluster into one of its own, and
// keeps it apart from every story it leaves: later imports and polls do
// not put them together again.
func (db *DB) SplitStory(ctx context.Context, storyID, userID int64) error {
	return db.writeTx(ctx, func(w *writer) error {
		cluster, err := w.clusterOf(ctx, storyID)
		if err != nil {
			return err
		}
		others, err := scanIDs(w.query(ctx, "SELECT id FROM stories WHERE cluster_id = ? AND id != ?", cluster, storyID))
		if err != nil {
			return err
		}
		if len(others) == 0 {
			return news.Errorf(news.EINVALID, "This story is the only version in its cluster: there is nothing to split.")
		}
		for _, o := range others {
			if _, err := w.exec(ctx, "INSERT OR IGNORE INTO cluster_apart (story_id, other_id) VALUES (?, ?)", storyID, o); err != nil {
				return fmt.Errorf("keep stories %d and %d apart: %w", storyID, o, err)
			}
		}
		alone, err := w.newCluster(ctx, storyID)
		if err != nil {
			return err
		}
		if err := w.setMember(ctx, storyID, cluster, alone, nil, true); err != nil {
			return err
		}
		if _, err := w.exec(ctx, "UPDATE clusters SET chosen_lead = NULL WHERE id = ? AND chosen_lead = ?", cluster, storyID); err != nil {
			return err
		}
		w.idx.SetCluster(storyID, alone)
		w.markDirty(alone)
		if err := w.logOverride(ctx, cluster, "split", storyID, alone, userID); err != nil {
			return err
		}
		return w.relistCluster(ctx, append(others, storyID))
	})
}

// MergeClusters moves every story of storyID's cluster into the cluster
// of intoID. The moved stories stay there whatever detection later says.
func (db *DB) MergeClusters(ctx context.Context, storyID, intoID, userID int64) error {
	return db.writeTx(ctx, func(w *writer) error {
		from, err := w.clusterOf(ctx, storyID)
		if err != nil {
			return err
		}
		into, err := w.clusterOf(ctx, intoID)
		if err != nil {
			return err
		}
		if from == into {
			return news.Errorf(news.EINVALID, "These stories are in one cluster already.")
		}
		moved, err := scanIDs(w.query(ctx, "SELECT id FROM stories WHERE cluster_id = ?", from))
		if err != nil {
			return err
		}
		stay, err := scanIDs(w.query(ctx, "SELECT id FROM stories WHERE cluster_id = ?", into))
		if err != nil {
			return err
		}
		evidence := related.Candidate{ID: intoID, Cluster: into, Evidence: related.Evidence{Same: true, Score: 1, Note: "merged by an editor"}}
		for _, id := range moved {
			// An earlier split between them is undone by this merge.
			if _, err := w.exec(ctx, "DELETE FROM cluster_apart WHERE story_id = ? AND other_id IN "+jsonIDs+
				" OR other_id = ? AND story_id IN "+jsonIDs, id, idList(stay), id, idList(stay)); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
			if err := w.setMember(ctx, id, from, into, &evidence, true); err != nil {
				return err
			}
			w.idx.SetCluster(id, into)
		}
		if err := w.logOverride(ctx, into, "merge", storyID, from, userID); err != nil {
			return err
		}
		return w.relistCluster(ctx, append(moved, stay...))
	})
}

// clusterOf returns the cluster of story id.
func (w *writer) clusterOf(ctx context.Context, id int64) (int64, error) {
	var cluster int64
	err := w.queryRow(ctx, "SELECT cluster_id FROM stories WHERE id = ?", id).Scan(&cluster)
	if errors.Is(err, sql.ErrNoRows) || err == nil && cluster == 0 {
		return 0, news.Errorf(news.ENOTFOUND, "Story %d not found.", id)
	}
	return cluster, err
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

// relistCluster ranks the changed clusters and recomputes the related
// lists of the stories whose cluster changed, and of the stories listing
// them.
func (w *writer) relistCluster(ctx context.Context, ids []int64) error {
	if err := w.rankDirty(ctx); err != nil {
		return err
	}
	done := map[int64]bool{}
	for _, id := range ids {
		listed, err := w.listedBy(ctx, id)
		if err != nil {
			return err
		}
		for _, l := range append(listed, id) {
			if !done[l] {
				done[l] = true
				if _, err := w.refreshOne(ctx, l, false); err != nil {
					return err
				}
			}
		}
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

// SetSourceOriginal marks source id original or not, and ranks again the
// clusters holding its stories.
func (db *DB) SetSourceOriginal(ctx context.Context, id int64, original bool) error {
	return db.writeTx(ctx, func(w *writer) error {
		res, err := w.tx.ExecContext(ctx, "UPDATE sources SET original = ? WHERE id = ?", original, id)
		if err != nil {
			return fmt.Errorf("mark source %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.Errorf(news.ENOTFOUND, "Source %d not found.", id)
		}
		clusters, err := scanIDs(w.query(ctx, "SELECT DISTINCT cluster_id FROM stories WHERE source_id = ?", id))
		if err != nil {
			return err
		}
		w.markDirty(clusters...)
		return w.rankDirty(ctx)
	})
}
