package sqlite

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"newsdesk/internal/news"
)

// Search ranking. A search matching few stories (exactRankMax) ranks every
// match: bm25 with a title match worth most, then tags, summary, source and
// body, and recent stories up to half as much again. bm25 reads the whole
// list of matches of every query word, so a search matching more ranks a
// bounded pool instead: the newest stories whose headline or tags match,
// then the newest of the other matches. "Newest" there is the highest
// story id, the order stories were added in, which FTS5 walks backwards
// without reading older matches: for stories from feeds and wires that is
// publish order, and an import adds its file in order. Counts stop at
// searchCountCap ("1,000+").
//
// Reader searches read live_fts, which holds only the stories readers may
// find (published, not trashed; those published with a time still to come
// are left out at query time), so a query is a plain MATCH that FTS5
// answers from its lists of matching ids, without a column filter that
// would make it read every match's positions.
const (
	bm25Rank   = `bm25(live_fts, 10.0, 3.0, 1.0, 4.0, 2.0)`
	recency    = `(1.0 + 0.5 / (1.0 + (? - s.published_at) / 604800.0))`
	searchRank = bm25Rank + ` * ` + recency
	// exactRankMax is the most matches ranked by bm25.
	exactRankMax = 300
	// searchPool is how many of the newest matches, and of the newest
	// headline matches, a larger search ranks for its first pages.
	searchPool = 100
	// searchCountCap is where counting stops; pages end there too.
	searchCountCap = 1000
	// filteredScan bounds the matches a search narrowed to a section or
	// source looks up, newest first.
	filteredScan = 5000
	// prefixPages is the most pages of the index (about 4 KB each) whose
	// lists a prefix may merge, about half a millisecond each on a busy
	// machine: at 100k stories "jodorn" fills 2, "zor" 4, "nad" 18, "gov"
	// 79, "sta" 355, "g" 1,779. The measure counts too many when a very
	// long list (a word in every story) comes just before the prefix; the
	// prefix is then searched as typed, which is cheap.
	prefixPages = 8
	// snippetText is how much of a hit's text the snippet is cut from.
	snippetText = 8192
)

// Search returns one page of the visible stories matching f, best first,
// and how many match. The work is bounded whatever the query: at most
// searchCountCap matches are counted and at most two pools of
// searchPool (or one page deeper) are looked up.
//
// Results show one card per story cluster, named with the other sources.
func (db *DB) Search(ctx context.Context, f news.SearchFilter) (news.SearchResult, error) {
	var res news.SearchResult
	if f.Query.Empty() {
		return res, nil
	}
	now := unix(db.Now())
	// Live in the index but not yet visible: published with a time still
	// to come. Rare, and never counted or shown.
	hidden, err := scanIDs(db.readQuery(ctx, `SELECT id FROM stories WHERE status = 'published'
		AND deleted_at IS NULL AND published_at > ? LIMIT ?`, now, searchCountCap))
	if err != nil {
		return res, err
	}
	pool := max(searchPool, f.Page.Offset()+f.Page.Size) + len(hidden)
	q, matches, newest, err := db.matchQuery(ctx, f.Query, searchCountCap+1+len(hidden), pool)
	if err != nil || matches == 0 {
		return res, err
	}
	f.Query = q
	match := q.FTS()
	hiddenMatches, err := db.countHidden(ctx, match, hidden)
	if err != nil {
		return res, err
	}
	if f.SectionSlug != "" || f.SourceSlug != "" {
		return db.searchFiltered(ctx, f, match, matches, now)
	}
	if matches <= exactRankMax {
		// Few matches: rank them all, and count them as the pages show
		// them, one per story cluster. Only the page's stories are read
		// in full.
		ranked, err := scanIDs(db.readQuery(ctx, "SELECT s.id FROM live_fts JOIN stories s ON s.id = live_fts.rowid WHERE live_fts MATCH ? AND"+
			visibleCard+" ORDER BY "+bm25Rank+" * "+recency+", s.id DESC", match, now, now, now))
		if err != nil {
			return res, fmt.Errorf("search %q: %w", match, err)
		}
		res.Total = len(ranked)
		if f.Page.Offset() >= len(ranked) {
			return res, nil
		}
		res.Stories, err = db.Hits(ctx, ranked[f.Page.Offset():min(len(ranked), f.Page.Offset()+f.Page.Size)], snippetText)
		return res, err
	}
	res.Total = matches - hiddenMatches
	if res.Total > searchCountCap {
		res.Total, res.Capped = searchCountCap, true
	}
	if res.Total <= 0 || f.Page.Offset() >= res.Total {
		res.Total = max(res.Total, 0)
		return res, nil
	}
	heads, err := db.headlineMatches(ctx, f.Query, match, pool)
	if err != nil {
		return res, err
	}
	recent := newest[:min(len(newest), pool)]
	if newest == nil {
		if recent, err = scanIDs(db.readQuery(ctx,
			"SELECT rowid FROM live_fts WHERE live_fts MATCH ? ORDER BY rowid DESC LIMIT ?", match, pool)); err != nil {
			return res, fmt.Errorf("search %q: %w", match, err)
		}
	}
	// The pool in order: headline matches, then the others, each newest
	// (highest id) first; only as many are looked up as the page needs.
	page, err := db.firstCards(ctx, append(heads, recent...), f.Page.Offset(), f.Page.Size, now)
	if err != nil {
		return res, fmt.Errorf("search %q: %w", match, err)
	}
	res.Stories, err = db.Hits(ctx, page, snippetText)
	return res, err
}

// firstCards returns the stories of ids, in that order and without
// repeats, that readers see as cards (visibleCard), skipping the first
// skip of them and keeping n. It looks ids up a few more than it still
// needs at a time, so a page costs about as many lookups as it shows.
func (db *DB) firstCards(ctx context.Context, ids []int64, skip, n int, now int64) ([]int64, error) {
	var out []int64
	seen := make(map[int64]bool, len(ids))
	for len(ids) > 0 && len(out) < skip+n {
		need := skip + n - len(out)
		var chunk []int64
		for len(ids) > 0 && len(chunk) < need+need/4+4 {
			if id := ids[0]; !seen[id] {
				seen[id] = true
				chunk = append(chunk, id)
			}
			ids = ids[1:]
		}
		if len(chunk) == 0 {
			break
		}
		shown, err := scanIDs(db.readQuery(ctx, "SELECT s.id FROM stories s WHERE s.id IN "+jsonIDs+" AND"+visibleCard,
			idList(chunk), now, now))
		if err != nil {
			return nil, err
		}
		ok := make(map[int64]bool, len(shown))
		for _, id := range shown {
			ok[id] = true
		}
		for _, id := range chunk {
			if ok[id] {
				out = append(out, id)
			}
		}
	}
	if len(out) <= skip {
		return nil, nil
	}
	return out[skip:min(len(out), skip+n)], nil
}

// matchQuery returns q as it is searched and how many stories of live_fts
// match it, counted up to limit. A last word still being typed matches as
// a prefix, and FTS5 answers a prefix by merging the lists of every word
// it starts, however many ("gov" starts "government", "governor", …): so
// the word is counted alone first, and when it already fills the count
// the prefix could add nothing but stories after the first thousand and
// is left out; so is a prefix too broad to merge cheaply, unless the word
// as typed finds nothing. Otherwise the prefix is searched: a narrow one
// as a whole word is, and a broad one (merged because the word as typed
// found nothing) in one pass that counts its matches and keeps the ids of
// the newest (up to pool) in newest, so that the costly merge is done
// once.
func (db *DB) matchQuery(ctx context.Context, q news.Query, limit, pool int) (_ news.Query, n int, newest []int64, err error) {
	if q.Prefix {
		exact := q
		exact.Prefix = false
		if n, err = db.countMatches(ctx, exact.FTS(), limit); err != nil || n >= limit {
			return exact, n, nil, err
		}
		// The prefix is the last token of the last word: "don't" is
		// searched as the phrase "don t*".
		toks := strings.FieldsFunc(q.Terms[len(q.Terms)-1], func(r rune) bool { return r == ' ' || r == '\'' || r == '’' })
		if len(toks) == 0 {
			return exact, n, nil, nil
		}
		// A broad prefix is searched as typed, unless the word as typed
		// finds nothing and is long enough to be a word being typed
		// ("electi"): then the prefix is merged after all, once, within
		// the search gate. Up to three letters ("g", "gov") stay as typed:
		// random fragments of three letters are what a search flood sends.
		prefix := toks[len(toks)-1]
		broad, err := db.broadPrefix(ctx, prefix)
		if err != nil || broad && (n > 0 || utf8.RuneCountInString(prefix) < 4) {
			return exact, n, nil, err
		}
		if broad {
			// Its matches up to limit, read newest first and counted here
			// (a window count(*) in SQL stored them all in a table first
			// and took twice the time).
			ids, err := scanIDs(db.readQuery(ctx, "SELECT rowid FROM live_fts WHERE live_fts MATCH ? ORDER BY rowid DESC LIMIT ?", q.FTS(), limit))
			if err != nil {
				return q, 0, nil, fmt.Errorf("search %q: %w", q.FTS(), err)
			}
			return q, len(ids), ids[:min(len(ids), pool)], nil
		}
		// Merging a narrow prefix costs little: it is counted, and its
		// newest matches are read, as a whole word's are. When it finds
		// no story the word did not, the word answers: the same stories,
		// without merging the prefix's lists again in every query after.
		words := n
		if n, err = db.countMatches(ctx, q.FTS(), limit); err != nil || n == words {
			return exact, n, nil, err
		}
		return q, n, nil, nil
	}
	n, err = db.countMatches(ctx, q.FTS(), limit)
	return q, n, nil, err
}

// broadPrefix reports whether the words of live_fts that start with
// prefix fill more than prefixPages pages of the index, so that merging
// their lists would cost more than a search may (FTS5 merges them all
// before it returns a match, and nothing can stop it midway). It reads the
// index's page directory (the %_idx table: each segment's leaf pages by
// their first word, page numbers stored doubled) with a few lookups per
// segment. The index holds words folded and stemmed: a prefix that is not
// plain lowercase ASCII, or a phrase, is not measured.
func (db *DB) broadPrefix(ctx context.Context, prefix string) (bool, error) {
	if prefix == "" || strings.IndexFunc(prefix, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') }) >= 0 {
		return false, nil
	}
	// Main index entries start with "0"; the range ends where the prefix
	// with its last byte raised begins.
	lo := "0" + prefix
	hi := lo[:len(lo)-1] + string(lo[len(lo)-1]+1)
	var pages int
	err := db.readQueryRow(ctx, `WITH RECURSIVE seg(id) AS (
			SELECT min(segid) FROM live_fts_idx
			UNION ALL SELECT (SELECT min(segid) FROM live_fts_idx WHERE segid > seg.id) FROM seg WHERE seg.id IS NOT NULL)
		SELECT coalesce(sum(
			coalesce((SELECT pgno FROM live_fts_idx i WHERE i.segid = seg.id AND i.term >= CAST(?2 AS BLOB) ORDER BY i.term LIMIT 1),
				(SELECT pgno + 2 FROM live_fts_idx i WHERE i.segid = seg.id ORDER BY i.term DESC LIMIT 1)) / 2
			- coalesce((SELECT pgno FROM live_fts_idx i WHERE i.segid = seg.id AND i.term < CAST(?1 AS BLOB) ORDER BY i.term DESC LIMIT 1), 0) / 2), 0)
		FROM seg WHERE seg.id IS NOT NULL`, lo, hi).Scan(&pages)
	if err != nil {
		return false, fmt.Errorf("measure prefix %q: %w", prefix, err)
	}
	return pages > prefixPages, nil
}

// countMatches counts the index's matches of match, stopping at limit.
func (db *DB) countMatches(ctx context.Context, match string, limit int) (int, error) {
	var n int
	err := db.readQueryRow(ctx, "SELECT count(*) FROM (SELECT rowid FROM live_fts WHERE live_fts MATCH ? LIMIT ?)",
		match, limit).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count search %q: %w", match, err)
	}
	return n, nil
}

// countHidden counts the stories of ids that match.
func (db *DB) countHidden(ctx context.Context, match string, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n int
	err := db.readQueryRow(ctx, "SELECT count(*) FROM live_fts WHERE live_fts MATCH ? AND rowid IN "+jsonIDs,
		match, idList(ids)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count hidden matches %q: %w", match, err)
	}
	return n, nil
}

// headlineMatches returns the newest live stories, up to limit, whose
// headline or tags hold every word of q and which match the whole search.
func (db *DB) headlineMatches(ctx context.Context, q news.Query, match string, limit int) ([]int64, error) {
	positive := news.Query{Terms: q.Terms, Prefix: q.Prefix}
	ids, err := scanIDs(db.readQuery(ctx,
		"SELECT rowid FROM story_heads_fts WHERE story_heads_fts MATCH ? ORDER BY rowid DESC LIMIT ?", positive.FTS(), limit))
	if err != nil || len(ids) == 0 || len(q.Excluded) == 0 {
		return ids, err
	}
	// An excluded word may be in the body.
	return scanIDs(db.readQuery(ctx, "SELECT rowid FROM live_fts WHERE live_fts MATCH ? AND rowid IN "+jsonIDs, match, idList(ids)))
}

// searchFiltered is Search narrowed to a section or source. It looks up
// at most filteredScan of the newest matches.
func (db *DB) searchFiltered(ctx context.Context, f news.SearchFilter, match string, matches int, now int64) (news.SearchResult, error) {
	var res news.SearchResult
	where := visibleCard
	args := []any{now, now}
	if f.SectionSlug != "" {
		where += " AND s.section_id = (SELECT id FROM sections WHERE slug = ?)"
		args = append(args, f.SectionSlug)
	}
	if f.SourceSlug != "" {
		where += " AND s.source_id = (SELECT id FROM sources WHERE slug = ?)"
		args = append(args, f.SourceSlug)
	}
	if matches <= exactRankMax {
		from := " FROM live_fts JOIN stories s ON s.id = live_fts.rowid WHERE live_fts MATCH ? AND" + where
		fargs := append([]any{match}, args...)
		if err := db.readQueryRow(ctx, "SELECT count(*)"+from, fargs...).Scan(&res.Total); err != nil {
			return res, fmt.Errorf("count search %q: %w", match, err)
		}
		if res.Total == 0 || f.Page.Offset() >= res.Total {
			return res, nil
		}
		ids, err := scanIDs(db.readQuery(ctx, "SELECT id FROM (SELECT s.id AS id, "+searchRank+" AS rank"+from+
			" ORDER BY rank, s.id DESC LIMIT ? OFFSET ?) ORDER BY rank, id DESC",
			append(append([]any{now}, fargs...), f.Page.Size, f.Page.Offset())...))
		if err != nil {
			return res, fmt.Errorf("search %q: %w", match, err)
		}
		res.Stories, err = db.Hits(ctx, ids, snippetText)
		return res, err
	}
	scan := `(SELECT rowid AS id FROM live_fts WHERE live_fts MATCH ? ORDER BY rowid DESC LIMIT ` +
		fmt.Sprint(filteredScan) + `) m JOIN stories s ON s.id = m.id`
	fargs := append([]any{match}, args...)
	if err := db.readQueryRow(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+scan+" WHERE"+where+" LIMIT ?)",
		append(fargs, searchCountCap+1)...).Scan(&res.Total); err != nil {
		return res, fmt.Errorf("count search %q: %w", match, err)
	}
	if res.Total > searchCountCap {
		res.Total, res.Capped = searchCountCap, true
	}
	if res.Total == 0 || f.Page.Offset() >= res.Total {
		return res, nil
	}
	ids, err := scanIDs(db.readQuery(ctx, "SELECT s.id FROM "+scan+" WHERE"+where+" ORDER BY s.published_at DESC, s.id DESC LIMIT ? OFFSET ?",
		append(fargs, f.Page.Size, f.Page.Offset())...))
	if err != nil {
		return res, fmt.Errorf("search %q: %w", match, err)
	}
	res.Stories, err = db.Hits(ctx, ids, snippetText)
	return res, err
}

// jsonIDs is an SQL set of the ids in its one argument, a JSON array made
// by idList: one statement text whatever the ids, so it is prepared once.
const jsonIDs = "(SELECT value FROM json_each(?))"

// idList returns ids as a JSON array.
func idList(ids []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	return b.String()
}
