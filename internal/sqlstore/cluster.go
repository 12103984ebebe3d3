package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"newsdesk/internal/news"
)

// Cluster returns the cluster of story id for the newsroom: every member
// in any state, best-ranked first, with the evidence of its membership,
// and the overrides recorded on it.
func (r Reads) Cluster(ctx context.Context, storyID int64) (news.Cluster, error) {
	var c news.Cluster
	var chosen sql.NullInt64
	err := r.Q.QueryRow(ctx, `SELECT c.id, coalesce(c.lead_id, 0), c.chosen_lead FROM stories s
		JOIN clusters c ON c.id = s.cluster_id WHERE s.id = ?`, storyID).Scan(&c.ID, &c.Lead, &chosen)
	if err != nil {
		return c, NotFound(err, "Story %d not found.", storyID)
	}
	c.ChosenLead = chosen.Int64
	list, err := r.queryStories(ctx, "SELECT "+CardColumns+StoryFrom+
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
	rows, err := QueryAll(ctx, r.Q, func(row Row) (membership, error) {
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
	c.Log, err = QueryAll(ctx, r.Q, func(row Row) (news.ClusterEvent, error) {
		var e news.ClusterEvent
		var at int64
		err := row.Scan(&e.Action, &e.StoryTitle, &e.UserName, &at)
		e.At = FromUnix(at)
		return e, err
	}, `SELECT l.action, coalesce(s.title, ''), coalesce(u.name, ''), l.created_at FROM cluster_log l
		LEFT JOIN stories s ON s.id = l.story_id LEFT JOIN users u ON u.id = l.user_id
		WHERE l.cluster_id = ? ORDER BY l.created_at DESC, l.id DESC`, c.ID)
	return c, err
}

// StoryIDByRef finds a story by its slug, its /articles/ URL or its
// original URL, for a merge form.
func (r Reads) StoryIDByRef(ctx context.Context, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if i := strings.Index(ref, "/articles/"); i >= 0 {
		ref = strings.Trim(ref[i+len("/articles/"):], "/")
	}
	var id int64
	err := r.Q.QueryRow(ctx, "SELECT id FROM stories WHERE slug = ? OR url = ? LIMIT 1", ref, ref).Scan(&id)
	if noRows(err) {
		return 0, news.Errorf(news.EINVALID, "No story has the slug or URL %q.", ref)
	}
	return id, err
}

// OriginalSources returns the ids of the sources taken for original (a
// wire or the site's own newsroom): their versions lead a story's cluster.
func (r Reads) OriginalSources(ctx context.Context) (map[int64]bool, error) {
	ids, err := ScanIDs(r.Q.Query(ctx, "SELECT id FROM sources WHERE original = true"))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
