package sqlite

import (
	"context"
	"fmt"

	"newsdesk/internal/news"
)

// Search ranking: bm25 with a title match worth most, then tags, summary,
// source and body; recent stories get up to half as much again.
const (
	bm25Rank   = `bm25(stories_fts, 10.0, 3.0, 1.0, 4.0, 2.0, 0.0)`
	recency    = `(1.0 + 0.5 / (1.0 + (? - s.published_at) / 604800.0))`
	searchRank = bm25Rank + ` * ` + recency
	// ftsColumns keeps a reader's words to the text columns: "live" must
	// not match every story's state.
	ftsColumns = "{title summary body tags source}: "
	// searchPool is how many best text matches are re-ranked by recency
	// when a search has no section or source filter.
	searchPool = 300
)

// Search returns one page of the visible stories matching f, best first,
// and how many match in all.
func (db *DB) Search(ctx context.Context, f news.SearchFilter) (news.SearchResult, error) {
	var res news.SearchResult
	if f.Query.Empty() {
		return res, nil
	}
	now := unix(db.Now())
	match := ftsColumns + "(" + f.Query.FTS() + ") AND state: live"
	var list []*news.Story
	var err error
	if f.SectionSlug == "" && f.SourceSlug == "" {
		// Count and rank inside the full-text index; only the best matches
		// are looked up in stories, re-ranked by recency and checked for
		// their publish time.
		if err := db.readQueryRow(ctx, "SELECT count(*) FROM stories_fts WHERE stories_fts MATCH ?", match).Scan(&res.Total); err != nil {
			return res, fmt.Errorf("count search %q: %w", match, err)
		}
		// The index marks published stories live whatever their time: take
		// away the embargoed ones (published, time still to come), so the
		// count says nothing a page would not. They are few, so walk them
		// and ask the index about each.
		var embargoed int
		if err := db.readQueryRow(ctx, `SELECT count(*) FROM stories s CROSS JOIN stories_fts ON stories_fts.rowid = s.id
			WHERE s.status = 'published' AND s.published_at > ? AND s.deleted_at IS NULL AND stories_fts MATCH ?`,
			now, match).Scan(&embargoed); err != nil {
			return res, fmt.Errorf("count embargoed matches of %q: %w", match, err)
		}
		res.Total -= embargoed
		if res.Total == 0 || f.Page.Offset() >= res.Total {
			return res, nil
		}
		pool := max(searchPool, 2*(f.Page.Offset()+f.Page.Size))
		list, err = db.queryStories(ctx, "SELECT "+storyColumns+storyFrom+`
			JOIN (SELECT rowid AS id, `+bm25Rank+` AS rank FROM stories_fts WHERE stories_fts MATCH ? ORDER BY rank LIMIT ?) hits
			ON hits.id = s.id WHERE`+visible+` ORDER BY hits.rank * `+recency+`, s.id DESC LIMIT ? OFFSET ?`,
			match, pool, now, now, f.Page.Size, f.Page.Offset())
	} else {
		where := " WHERE stories_fts MATCH ? AND" + visible
		args := []any{match, now}
		if f.SectionSlug != "" {
			where += " AND s.section_id = (SELECT id FROM sections WHERE slug = ?)"
			args = append(args, f.SectionSlug)
		}
		if f.SourceSlug != "" {
			where += " AND s.source_id = (SELECT id FROM sources WHERE slug = ?)"
			args = append(args, f.SourceSlug)
		}
		from := " FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid"
		if err := db.readQueryRow(ctx, "SELECT count(*)"+from+where, args...).Scan(&res.Total); err != nil {
			return res, fmt.Errorf("count search %q: %w", match, err)
		}
		if res.Total == 0 || f.Page.Offset() >= res.Total {
			return res, nil
		}
		// Rank ids alone, then read the page's stories.
		list, err = db.queryStories(ctx, "SELECT "+storyColumns+storyFrom+`
			JOIN (SELECT s.id AS id, `+searchRank+` AS rank`+from+where+
			` ORDER BY rank, s.id DESC LIMIT ? OFFSET ?) hits ON hits.id = s.id ORDER BY hits.rank, s.id DESC`,
			append(append([]any{now}, args...), f.Page.Size, f.Page.Offset())...)
	}
	if err != nil {
		return res, fmt.Errorf("search %q: %w", match, err)
	}
	res.Stories = list
	return res, nil
}
