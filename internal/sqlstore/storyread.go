package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"newsdesk/internal/news"
)

// The story reads of the public pages both stores make alike.

func (r Reads) now() int64 { return Unix(r.Now()) }

// queryStories runs query, which selects StoryColumns or CardColumns.
func (r Reads) queryStories(ctx context.Context, query string, args ...any) ([]*news.Story, error) {
	list, err := QueryAll(ctx, r.Q, ScanStory, query, args...)
	if err != nil {
		return nil, fmt.Errorf("select stories: %w", err)
	}
	return list, nil
}

// StoryBySlug returns the visible story with the given slug, with its tags
// and whether it is alone in its cluster.
func (r Reads) StoryBySlug(ctx context.Context, slug string) (*news.Story, error) {
	// The revision time, the tags and whether the cluster has other
	// versions come with the row: a round trip each fewer a page, and
	// none for the copies of a story alone in its cluster, as nearly
	// all are.
	var revised int64
	var tags string
	var others bool
	s, err := ScanStoryText(r.Q.QueryRow(ctx, "SELECT "+StoryColumns+", "+revisedAtColumn+", "+tagListColumn+", "+hasOthers+StoryFrom+
		" WHERE s.slug = ? AND"+Visible, slug, r.now()), false, &revised, &tags, &others)
	if err != nil {
		return nil, NotFound(err, "Story %q not found.", slug)
	}
	s.RevisedAt, s.Alone = optUnix(revised), !others
	if s.Tags, err = parseTagList(tags); err != nil {
		return nil, fmt.Errorf("story %d: %w", s.ID, err)
	}
	return s, nil
}

// revisedAtColumn is when readers last saw story s change, as a column of
// a story's row: 0 when they never did.
const revisedAtColumn = "coalesce((SELECT e.revised_at FROM story_edits e WHERE e.story_id = s.id), 0)"

// FillCoverage sets AlsoCoveredBy on each story of list: the sources of
// the other visible versions in its cluster, best-ranked first. One query
// for the whole list.
func (r Reads) FillCoverage(ctx context.Context, list []*news.Story) error {
	_, err := r.coverage(ctx, list, r.now())
	return err
}

// coverage is FillCoverage as visible at now. It returns, for each
// cluster with a version scheduled after now, when the first of them
// becomes visible: the coverage of its cards changes then.
func (r Reads) coverage(ctx context.Context, list []*news.Story, now int64) (map[int64]int64, error) {
	if len(list) == 0 {
		return nil, nil
	}
	clusters := make([]int64, 0, len(list))
	for _, s := range list {
		clusters = append(clusters, s.ClusterID)
	}
	type version struct {
		cluster, story, published int64
		src                       news.Source
	}
	in, arg := r.Q.InIDs(clusters)
	// Every listed version, scheduled ones too (Visible without its
	// time): those are left out here, and say when this changes.
	versions, err := QueryAll(ctx, r.Q, func(row Row) (version, error) {
		var v version
		return v, row.Scan(&v.cluster, &v.story, &v.published, &v.src.ID, &v.src.Name, &v.src.Slug)
	}, `SELECT s.cluster_id, s.id, s.published_at, src.id, src.name, src.slug FROM stories s JOIN sources src ON src.id = s.source_id
		WHERE s.cluster_id`+in+` AND`+Listed("s")+` ORDER BY s.cluster_id, s.cluster_rank, s.id`, arg)
	if err != nil {
		return nil, err
	}
	byCluster := map[int64][]version{}
	var expires map[int64]int64
	for _, v := range versions {
		if v.published <= now {
			byCluster[v.cluster] = append(byCluster[v.cluster], v)
		} else if e, ok := expires[v.cluster]; !ok || v.published < e {
			if expires == nil {
				expires = map[int64]int64{}
			}
			expires[v.cluster] = v.published
		}
	}
	for _, s := range list {
		s.AlsoCoveredBy = nil
		seen := map[int64]bool{s.Source.ID: true}
		for _, v := range byCluster[s.ClusterID] {
			if v.story != s.ID && !seen[v.src.ID] {
				seen[v.src.ID] = true
				s.AlsoCoveredBy = append(s.AlsoCoveredBy, v.src)
			}
		}
	}
	return expires, nil
}

// Related returns the stories shown beside story id, best first: one card
// per story cluster (its lead), never the story's own cluster, each with
// the other sources carrying it. A story with fewer close neighbours than
// limit gets recent stories of its section, then of its tags, after them;
// one with none of those gets the latest stories. The list of ids is
// kept (Cache) for the data version it was read at.
func (r Reads) Related(ctx context.Context, id int64, limit int) ([]news.Related, error) {
	now := r.now()
	key := strconv.FormatInt(id, 10) + " " + strconv.Itoa(limit)
	l, err := r.keptOr(ctx, related, key, now, func(l *keptList) (err error) {
		l.ids, l.close, err = r.relatedIDs(ctx, id, limit, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	list, err := r.Cards(ctx, l.ids)
	if err != nil {
		return nil, err
	}
	out := make([]news.Related, len(list))
	for i, s := range list {
		out[i] = news.Related{Story: s, AlsoCoveredBy: s.AlsoCoveredBy, Nearby: !slices.Contains(l.ids[:l.close], s.ID)}
	}
	return out, nil
}

// relatedIDs returns the ids of Related as visible at now, and how many
// of them, first, are close neighbours.
func (r Reads) relatedIDs(ctx context.Context, id int64, limit int, now int64) (ids []int64, closeCount int, err error) {
	var cluster int64
	var section sql.NullInt64
	if err := r.Q.QueryRow(ctx, "SELECT cluster_id, section_id FROM stories WHERE id = ?", id).Scan(&cluster, &section); err != nil {
		return nil, 0, NotFound(err, "Story %d not found.", id)
	}
	// Each query selects ids and clusters; the cards of those kept are
	// filled by Related (Cards).
	type listed struct{ story, cluster int64 }
	query := func(query string, args ...any) ([]listed, error) {
		list, err := QueryAll(ctx, r.Q, func(row Row) (listed, error) {
			var x listed
			return x, row.Scan(&x.story, &x.cluster)
		}, query, args...)
		if err != nil {
			return nil, fmt.Errorf("select related stories of %d: %w", id, err)
		}
		return list, nil
	}
	// A listed story stands for its cluster, shown by the cluster's lead;
	// a cluster listed twice (a copy that joined after the list was
	// made) shows once.
	near, err := query("SELECT s.id, s.cluster_id FROM stories s"+
		" JOIN "+r.ClusterOf+" ON rm.cluster_id = s.cluster_id JOIN story_related r ON r.related_id = rm.id"+
		" WHERE r.story_id = ? AND s.cluster_id != ? AND"+VisibleCard+" ORDER BY r.score DESC, r.related_id", id, cluster, now, now)
	if err != nil {
		return nil, 0, err
	}
	seen := map[int64]bool{cluster: true}
	keep := func(more []listed) {
		for _, x := range more {
			if len(ids) < limit && !seen[x.cluster] {
				seen[x.cluster] = true
				ids = append(ids, x.story)
			}
		}
	}
	keep(near)
	closeCount = len(ids)
	if len(ids) < limit && section.Valid {
		recent, err := query("SELECT s.id, s.cluster_id FROM stories s WHERE s.section_id = ? AND s.cluster_id != ? AND"+
			VisibleCard+" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", section.Int64, cluster, now, now, 2*limit)
		if err != nil {
			return nil, 0, err
		}
		keep(recent)
	}
	if len(ids) < limit {
		recent, err := query(`SELECT s.id, s.cluster_id FROM stories s WHERE s.id IN (SELECT st.story_id FROM story_tags st
			WHERE st.tag_id IN (SELECT tag_id FROM story_tags WHERE story_id = ?) ORDER BY st.published_at DESC LIMIT ?)
			AND s.cluster_id != ? AND`+VisibleCard+" ORDER BY s.published_at DESC, s.id DESC", id, 4*limit, cluster, now, now)
		if err != nil {
			return nil, 0, err
		}
		keep(recent)
	}
	if len(ids) == 0 {
		// A story with no section and tags of its own: the latest stories,
		// so that an article page never has an empty list. Only then: a
		// list with some neighbours is not padded with unrelated stories.
		recent, err := query("SELECT s.id, s.cluster_id FROM stories s WHERE s.cluster_id != ? AND"+
			VisibleCard+" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", cluster, now, now, 2*limit)
		if err != nil {
			return nil, 0, err
		}
		keep(recent)
	}
	return ids, closeCount, nil
}

// CopyStories returns the visible stories of s's cluster other than s.
func (r Reads) CopyStories(ctx context.Context, s *news.Story) ([]*news.Story, error) {
	if s.Alone {
		return nil, nil
	}
	ids, err := r.storyIDs(ctx, "SELECT s.id FROM stories s"+
		" WHERE s.cluster_id = ? AND s.id != ? AND"+Visible+" ORDER BY s.published_at", s.ClusterID, s.ID, r.now())
	if err != nil {
		return nil, err
	}
	return r.cardsAlone(ctx, ids)
}

// cardsAlone is Cards without the other sources: the versions of one
// story listed together.
func (r Reads) cardsAlone(ctx context.Context, ids []int64) ([]*news.Story, error) {
	list, err := r.Cards(ctx, ids)
	for _, s := range list {
		s.AlsoCoveredBy = nil
	}
	return list, err
}

// StoryCount returns the number of stories stored, in any state.
func (r Reads) StoryCount(ctx context.Context) (int, error) {
	var n int
	if err := r.Q.QueryRow(ctx, "SELECT count(*) FROM stories").Scan(&n); err != nil {
		return 0, fmt.Errorf("count stories: %w", err)
	}
	return n, nil
}

// Stories returns one page of visible stories, newest first, matching f,
// and whether a further page exists. A source's or author's list holds
// each of their stories; the others hold one card per story cluster (the lead, or the
// first-ranked version the list selects), so pages count stories, not
// copies. Cards carry the other sources of their cluster.
func (r Reads) Stories(ctx context.Context, f news.StoryFilter) ([]*news.Story, bool, error) {
	var where []string
	args := []any{}
	from := StoryFrom
	order := " ORDER BY s.published_at DESC, s.id DESC"
	now := r.now()
	switch {
	case f.TagSlug != "":
		// Walk the tag's index newest first, then fetch each story.
		from += " JOIN story_tags st ON st.story_id = s.id JOIN tags t ON t.id = st.tag_id"
		where = append(where, "t.slug = ?", FirstOf(" AND EXISTS (SELECT 1 FROM story_tags ot WHERE ot.story_id = o.id AND ot.tag_id = st.tag_id)"))
		args = append(args, f.TagSlug, now)
		order = " ORDER BY st.published_at DESC, s.id DESC"
	case f.SourceSlug != "":
		where = append(where, "s.source_id = (SELECT id FROM sources WHERE slug = ?)")
		args = append(args, f.SourceSlug)
	case f.SectionSlug != "":
		where = append(where, "s.section_id = (SELECT id FROM sections WHERE slug = ?)", FirstOf(" AND o.section_id = s.section_id"))
		args = append(args, f.SectionSlug, now)
	case len(f.Authors) > 0:
		// An author's page, like a source's, lists their own stories.
		// One argument a name, as SQLite's store always wrote it.
		where = append(where, "s.author IN (?"+strings.Repeat(", ?", len(f.Authors)-1)+")")
		for _, a := range f.Authors {
			args = append(args, a)
		}
	default:
		where = append(where, FirstOf(""))
		args = append(args, now)
	}
	where = append(where, Visible)
	args = append(args, now, f.Page.Size+1, f.Page.Offset())
	cond := " WHERE " + strings.Join(where, " AND ") + order + " LIMIT ? OFFSET ?"
	if f.WithBody {
		list, err := r.queryStories(ctx, "SELECT "+StoryColumns+from+cond, args...)
		if err != nil {
			return nil, false, err
		}
		more := len(list) > f.Page.Size
		if more {
			list = list[:f.Page.Size]
		}
		return list, more, r.FillCoverage(ctx, list)
	}
	// Cards: the ids in the list's order, kept for this data version,
	// then their cards (Cards).
	l, err := r.keptOr(ctx, pages, listKey(f), now, func(l *keptList) error {
		ids, err := r.storyIDs(ctx, "SELECT s.id"+strings.Replace(from, StoryFrom, " FROM stories s", 1)+cond, args...)
		if err != nil {
			return err
		}
		if l.more = len(ids) > f.Page.Size; l.more {
			ids = ids[:f.Page.Size]
		}
		l.ids = ids
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	list, err := r.Cards(ctx, l.ids)
	return list, l.more, err
}

// Versions returns every visible version of s's story (its cluster),
// oldest first, and the one lists show for it: the lead.
func (r Reads) Versions(ctx context.Context, s *news.Story) (versions []*news.Story, lead *news.Story, err error) {
	now := r.now()
	ids, err := r.storyIDs(ctx, "SELECT s.id FROM stories s WHERE s.cluster_id = ? AND"+Visible+
		" ORDER BY s.published_at, s.id", s.ClusterID, now)
	if err != nil {
		return nil, nil, err
	}
	if versions, err = r.cardsAlone(ctx, ids); err != nil {
		return nil, nil, err
	}
	var leadID int64
	if err := r.Q.QueryRow(ctx, "SELECT s.id FROM stories s WHERE s.cluster_id = ? AND"+VisibleCard+" ORDER BY s.cluster_rank, s.id LIMIT 1",
		s.ClusterID, now, now).Scan(&leadID); err != nil {
		return nil, nil, NotFound(err, "Story %q not found.", s.Slug)
	}
	for _, v := range versions {
		if v.ID == leadID {
			lead = v
		}
	}
	if lead == nil {
		return nil, nil, news.Errorf(news.ENOTFOUND, "Story %q not found.", s.Slug)
	}
	return versions, lead, nil
}
