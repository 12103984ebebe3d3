// Package snippet cuts the passage of a story that best matches a search
// and marks the words that matched. It returns plain text spans; the
// templates escape them and wrap matches in <mark>, so no text a reader or
// writer typed is ever treated as HTML.
package snippet

import (
	"strings"
	"unicode/utf8"

	"newsdesk/internal/news"
	"newsdesk/internal/terms"
)

// matcher decides whether a word of the text answers the query, the way
// the full-text index does: same stem, or prefix of the last query word.
type matcher struct {
	stems  map[string]bool
	prefix string
	// first holds the first bytes of the stems and the prefix, lowercase:
	// a stem keeps the start of its word, so a word starting otherwise
	// cannot match and is not lowercased or stemmed. Most words of a text
	// are rejected here.
	first [256]bool
}

func newMatcher(q news.Query) matcher {
	m := matcher{stems: map[string]bool{}}
	for _, w := range q.Words() {
		m.stems[stem(w)] = true
		m.first[w[0]] = true
	}
	if q.Prefix && len(q.Terms) > 0 {
		last := q.Terms[len(q.Terms)-1]
		m.prefix = last
		m.first[last[0]] = true
	}
	return m
}

func stem(w string) string {
	if t := terms.Normalize(w); t != "" {
		return t
	}
	return w
}

func (m *matcher) match(word string) bool {
	if c := word[0]; c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if !m.first[c] {
			return false
		}
	}
	w := news.FoldWord(word)
	return m.stems[stem(w)] || (m.prefix != "" && strings.HasPrefix(w, m.prefix))
}

type word struct {
	start, end int // byte offsets in the text
	hit        bool
}

// words finds the words of text by the site's one definition
// (news.WordSpans), each marked whether it answers the query.
func words(text string, m *matcher) []word {
	spans := news.WordSpans(text)
	out := make([]word, len(spans))
	for i, sp := range spans {
		out[i] = word{sp[0], sp[1], m.match(text[sp[0]:sp[1]])}
	}
	return out
}

// Mark returns all of text with the query's words marked.
func Mark(text string, q news.Query) []news.Span {
	m := newMatcher(q)
	return spans(text, words(text, &m), 0, len(text))
}

// Cut returns a passage of about n words of text around its densest
// cluster of matches, with "…" where it was cut, matches marked. With no
// match it returns the opening words.
func Cut(text string, q news.Query, n int) []news.Span {
	text = strings.Join(strings.Fields(text), " ")
	m := newMatcher(q)
	ws := words(text, &m)
	if len(ws) == 0 {
		return nil
	}
	best, bestHits := 0, -1
	hits := 0
	for i := range ws {
		if ws[i].hit {
			hits++
		}
		if i >= n && ws[i-n].hit {
			hits--
		}
		if start := max(0, i-n+1); hits > bestHits {
			best, bestHits = start, hits
		}
	}
	// Start a little before the first hit of the window, for context.
	for i := best; i < min(best+n, len(ws)); i++ {
		if ws[i].hit {
			best = max(0, i-n/4)
			break
		}
	}
	end := min(best+n, len(ws))
	from, to := ws[best].start, ws[end-1].end
	if best == 0 {
		from = 0
	}
	if end == len(ws) {
		to = len(text)
	}
	out := spans(text, ws[best:end], from, to)
	if from > 0 {
		out = append([]news.Span{{Text: "…"}}, out...)
	}
	if to < len(text) {
		out = append(out, news.Span{Text: "…"})
	}
	return out
}

// spans splits text[from:to] into plain and matched spans.
func spans(text string, ws []word, from, to int) []news.Span {
	var out []news.Span
	at := from
	for _, w := range ws {
		if !w.hit || w.start < from || w.end > to {
			continue
		}
		if w.start > at {
			out = append(out, news.Span{Text: text[at:w.start]})
		}
		out = append(out, news.Span{Text: text[w.start:w.end], Match: true})
		at = w.end
	}
	if at < to {
		out = append(out, news.Span{Text: text[at:to]})
	}
	for i := range out {
		if !utf8.ValidString(out[i].Text) {
			out[i].Text = strings.ToValidUTF8(out[i].Text, "")
		}
	}
	return out
}
