package postgres

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"

	"newsdesk/internal/news"
)

// Search on PostgreSQL. Each story carries a weighted tsvector (title A,
// tags B, summary and source C, body D) in a GIN index, and one of its
// headline and tags alone. Text reaches PostgreSQL already split into
// words as news.Words splits them, folded as SQLite's index folds them
// (lowercase, no diacritics, "don't" the two tokens "don t"), so both
// stores find the same words; the configuration "newsdesk" stems with
// Snowball English and ignores no stop words. A reader's query is parsed
// by news.ParseQuery and handed to websearch_to_tsquery as quoted phrases
// and -exclusions; a word still being typed is a to_tsquery prefix.
//
// Ranking mirrors internal/sqlite: a search matching few stories
// (exactRankMax) ranks every match by ts_rank (weights as above, length
// normalised) times recency; a search matching more ranks a bounded pool,
// the newest headline or tag matches, then the newest other matches.
// Counts stop at searchCountCap ("1,000+").
const (
	searchRank = `ts_rank('{0.1, 0.3, 0.4, 1.0}', s.search, q.q, 1) * (1.0 + 0.5 / (1.0 + (? - s.published_at) / 604800.0))`
	// exactRankMax is the most matches ranked one by one.
	exactRankMax = 300
	// searchPool is how many of the newest matches, and of the newest
	// headline matches, a larger search looks at for its first pages.
	searchPool = 100
	// searchCountCap is where counting stops; pages end there too.
	searchCountCap = 1000
	// snippetText is how much of a hit's text the snippet is cut from.
	snippetText = 8192
	// indexedBody bounds the body text put in a story's tsvector, which
	// PostgreSQL limits to 1 MB.
	indexedBody = 256 << 10
)

// foldText returns text as it is indexed and searched: its words (see
// news.Words), without diacritics, apostrophes splitting, one space apart.
func foldText(text string) string {
	return foldWords(news.Words(text))
}

func foldWords(words []string) string {
	var b strings.Builder
	for _, w := range words {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for _, r := range news.Unmarked(w) {
			switch {
			case r == '\'' || r == '’':
				b.WriteByte(' ')
			default:
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return b.String()
}

// tsQuery returns the SQL of a query's tsquery and its arguments.
func tsQuery(q news.Query) (string, []any) {
	terms := q.Terms
	var prefix string
	if q.Prefix && len(terms) > 0 {
		prefix, terms = terms[len(terms)-1], terms[:len(terms)-1]
	}
	var web []string
	for _, t := range terms {
		web = append(web, `"`+foldWords(strings.Fields(t))+`"`)
	}
	for _, t := range q.Excluded {
		web = append(web, `-"`+foldWords(strings.Fields(t))+`"`)
	}
	expr, args := "websearch_to_tsquery('newsdesk', ?)", []any{strings.Join(web, " ")}
	if prefix != "" {
		// to_tsquery syntax: the tokens as a phrase, the last a prefix.
		toks := strings.Fields(foldWords(strings.Fields(prefix)))
		for i, t := range toks {
			toks[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
		}
		expr = "(" + expr + " && to_tsquery('newsdesk', ?))"
		args = append(args, strings.Join(toks, " <-> ")+":*")
	}
	return expr, args
}

// Search returns one page of the visible stories matching f, best first,
// and how many match. The work is bounded whatever the query.
// Results show one card per story cluster, named with the other sources.
func (db *DB) Search(ctx context.Context, f news.SearchFilter) (res news.SearchResult, err error) {
	if f.Query.Empty() {
		return res, nil
	}
	var ids []int64
	// The planner does not know that testing a tsvector on a row means
	// reading (and decompressing) it: for a common word it scans every
	// story, body vector and all, instead of asking the GIN index. In the
	// search's own transaction it is told not to.
	err = db.indexedSearch(ctx, func(t pgx.Tx) error {
		res, ids, err = db.searchIn(ctx, t, f)
		return err
	})
	if err != nil {
		return res, err
	}
	// The page's cards are read after the transaction, as SQLite's are
	// read apart from its id queries: a story trashed in between can
	// show once, and the page cache does not keep that page (the write
	// changed its keys after the render began).
	res.Stories, err = db.Hits(ctx, ids, snippetText)
	return res, err
}

// indexedSearch runs fn in a read-only transaction whose statements
// find tsvector matches through the GIN indexes rather than by reading
// every story.
func (db *DB) indexedSearch(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly,
		BeginQuery: "BEGIN READ ONLY; SET LOCAL enable_seqscan = off"}, fn)
}

// searchIn counts the matches of f and returns the ids of the page's
// stories, best first.
func (db *DB) searchIn(ctx context.Context, t pgx.Tx, f news.SearchFilter) (news.SearchResult, []int64, error) {
	var res news.SearchResult
	now := unix(db.Now())
	tsq, qargs := tsQuery(f.Query)
	// q binds the query once per statement; hits is every match, from the
	// GIN index alone (MATERIALIZED: no other index is walked for it).
	with := "WITH q AS (SELECT " + tsq + " AS q), hits AS MATERIALIZED (SELECT s.id FROM q, stories s WHERE s.search @@ q.q) "
	from := " FROM q, hits JOIN stories s ON s.id = hits.id WHERE"
	where := visible
	wargs := []any{now}
	if f.SectionSlug != "" {
		where += " AND s.section_id = (SELECT id FROM sections WHERE slug = ?)"
		wargs = append(wargs, f.SectionSlug)
	}
	if f.SourceSlug != "" {
		where += " AND s.source_id = (SELECT id FROM sources WHERE slug = ?)"
		wargs = append(wargs, f.SourceSlug)
	}
	args := func(extra ...any) []any {
		return textArgs(append(append(append([]any{}, qargs...), wargs...), extra...))
	}
	var matches int
	if err := t.QueryRow(ctx, rebind(with+"SELECT count(*) FROM (SELECT 1"+from+where+" LIMIT ?) c"),
		args(searchCountCap+1)...).Scan(&matches); err != nil {
		return res, nil, fmt.Errorf("count search: %w", err)
	}
	if matches == 0 {
		return res, nil, nil
	}
	// One card per story cluster: the first-ranked visible version.
	card := where + " AND" + firstOf("")
	res.Total = matches
	if matches <= exactRankMax {
		if err := t.QueryRow(ctx, rebind(with+"SELECT count(*)"+from+card), args(now)...).Scan(&res.Total); err != nil {
			return res, nil, fmt.Errorf("count search: %w", err)
		}
	}
	if res.Total > searchCountCap {
		res.Total, res.Capped = searchCountCap, true
	}
	if res.Total == 0 || f.Page.Offset() >= res.Total {
		return res, nil, nil
	}
	if matches <= exactRankMax {
		ids, err := queryAll(ctx, t, scanInt64, with+"SELECT s.id"+from+card+" ORDER BY "+searchRank+" DESC, s.id DESC LIMIT ? OFFSET ?",
			append(append(qargs, wargs...), now, now, f.Page.Size, f.Page.Offset())...)
		if err != nil {
			return res, nil, fmt.Errorf("search: %w", err)
		}
		return res, ids, nil
	}
	// Many matches: the newest whose headline or tags hold every word
	// sought (search_head), then the newest of the others.
	pool := max(searchPool, f.Page.Offset()+f.Page.Size)
	positive, pargs := tsQuery(news.Query{Terms: f.Query.Terms, Prefix: f.Query.Prefix})
	heads, err := queryAll(ctx, t, scanInt64, with+"SELECT s.id"+from+" s.search_head @@ "+positive+" AND"+card+
		" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", append(append(append(qargs, pargs...), wargs...), now, pool)...)
	if err != nil {
		return res, nil, fmt.Errorf("search headlines: %w", err)
	}
	recent, err := queryAll(ctx, t, scanInt64, with+"SELECT s.id"+from+card+
		" ORDER BY s.published_at DESC, s.id DESC LIMIT ?", args(now, pool)...)
	if err != nil {
		return res, nil, fmt.Errorf("search: %w", err)
	}
	page, err := queryAll(ctx, t, scanInt64, "SELECT s.id FROM stories s WHERE s.id = ANY(?)"+
		" ORDER BY s.id = ANY(?) DESC, s.published_at DESC, s.id DESC LIMIT ? OFFSET ?",
		append(heads, recent...), heads, f.Page.Size, f.Page.Offset())
	if err != nil {
		return res, nil, fmt.Errorf("search: %w", err)
	}
	return res, page, nil
}

// searchDoc is the SQL that computes a story's two tsvectors from five
// arguments: title, tags, summary and source, body (each folded by
// foldText).
const searchDoc = `setweight(to_tsvector('newsdesk', ?), 'A') || setweight(to_tsvector('newsdesk', ?), 'B') ||
	setweight(to_tsvector('newsdesk', ?), 'C') || setweight(to_tsvector('newsdesk', ?), 'D')`

// searchArgs returns the arguments of searchDoc for a story with the
// given body text.
func searchArgs(s *news.Story, text string) []any {
	tags := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		tags[i] = t.Name
	}
	if len(text) > indexedBody {
		text = text[:indexedBody]
	}
	return []any{foldText(s.Title), foldText(strings.Join(tags, " ")), foldText(s.Summary + " " + s.Source.Name), foldText(text)}
}

// writeSearch stores story s's tsvectors; text is its body's plain text.
func (w *tx) writeSearch(ctx context.Context, s *news.Story, text string) error {
	a := searchArgs(s, text)
	w.queue(`UPDATE stories SET search = `+searchDoc+`,
		search_head = setweight(to_tsvector('newsdesk', ?), 'A') || setweight(to_tsvector('newsdesk', ?), 'B')
		WHERE id = ?`, a[0], a[1], a[2], a[3], a[0], a[1], s.ID)
	return nil
}

// ReindexSearch computes every story's tsvectors again from what is
// stored (title, tags, summary, source, body text), 500 stories a
// transaction, and returns how many it indexed: after a copy from SQLite,
// or a change in how text is folded.
func (db *DB) ReindexSearch(ctx context.Context) (int, error) {
	done := 0
	for after := int64(0); ; {
		ids, err := scanIDs(db.query(ctx, "SELECT id FROM stories WHERE id > ? ORDER BY id LIMIT 500", after))
		if err != nil || len(ids) == 0 {
			return done, err
		}
		err = db.transact(ctx, func(w *tx) error {
			w.quiet = true
			return w.reindexSearch(ctx, ids)
		})
		if err != nil {
			return done, err
		}
		done += len(ids)
		after = ids[len(ids)-1]
	}
}

// reindexSearch writes the tsvectors of the stories ids from what is
// stored.
func (w *tx) reindexSearch(ctx context.Context, ids []int64) error {
	rows, err := w.query(ctx, "SELECT "+cardColumns+", coalesce(s.body_text, '')"+storyFrom+" WHERE s.id = ANY(?)", ids)
	if err != nil {
		return err
	}
	list, err := scanAll(rows, func(row scanner) (*news.Story, error) { return scanStoryText(row, true) })
	if err != nil {
		return fmt.Errorf("select stories to index: %w", err)
	}
	for _, s := range list {
		if s.Tags, err = storyTags(ctx, w, s.ID); err != nil {
			return err
		}
		if err := w.writeSearch(ctx, s, s.Text); err != nil {
			return err
		}
	}
	return nil
}
