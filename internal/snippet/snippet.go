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

// Matcher decides whether a word of a text answers a query, the way
// the full-text index does: same stem, or prefix of the last query word.
type Matcher struct {
	stems  map[string]bool
	prefix string
	// first holds the first bytes of the stems and the prefix, in either
	// case, and every byte from 0x80 up: a stem keeps the start of its
	// word, so a word starting otherwise cannot match and is not
	// lowercased or stemmed. Most words of a text are rejected here.
	first [256]bool
}

// NewMatcher returns the Matcher of q. A search page makes one and marks
// and cuts all of its hits with it.
func NewMatcher(q news.Query) *Matcher {
	m := &Matcher{stems: map[string]bool{}}
	for c := utf8.RuneSelf; c < len(m.first); c++ {
		m.first[c] = true // the start of a rune, which FoldWord may fold
	}
	// The query's words are lowercase already (news.ParseQuery).
	starts := func(w string) {
		c := w[0]
		m.first[c] = true
		if 'a' <= c && c <= 'z' {
			m.first[c-'a'+'A'] = true
		}
	}
	for _, w := range q.Words() {
		w = news.Unmarked(w)
		m.stems[stem(w)] = true
		starts(w)
	}
	if q.Prefix && len(q.Terms) > 0 {
		m.prefix = news.Unmarked(q.Terms[len(q.Terms)-1])
		starts(m.prefix)
	}
	return m
}

// stem returns the term of a lowercase word without diacritics.
func stem(w string) string {
	if t := terms.Normalize(w); t != "" {
		return t
	}
	return w
}

// match reports whether word answers the query. Callers reading a long
// text test m.first[word[0]] first, which inlines, and call match only
// when it holds.
func (m *Matcher) match(word string) bool {
	if !m.first[word[0]] {
		return false
	}
	w := news.Unmarked(news.FoldWord(word))
	return m.stems[stem(w)] || (m.prefix != "" && strings.HasPrefix(w, m.prefix))
}

type word struct {
	start, end int // byte offsets in the text
	hit        bool
}

// words finds the words of text by the site's one definition
// (news.WordSpans), each marked whether it answers the query.
func words(text string, m *Matcher) []word {
	spans := news.WordSpans(text)
	out := make([]word, len(spans))
	for i, sp := range spans {
		out[i] = word{sp[0], sp[1], m.match(text[sp[0]:sp[1]])}
	}
	return out
}

// Mark returns all of text with the query's words marked.
func Mark(text string, q news.Query) []news.Span { return NewMatcher(q).Mark(text) }

// Mark returns all of text with the words that answer m's query marked.
func (m *Matcher) Mark(text string) []news.Span {
	return spans(text, words(text, m), 0, len(text))
}

// Cut is NewMatcher(q).Cut(text, n).
func Cut(text string, q news.Query, n int) []news.Span { return NewMatcher(q).Cut(text, n) }

// Cut returns a passage of about n words of text around its densest
// cluster of matches, with "…" where it was cut, matches marked, runs of
// white space as one space. With no match it returns the opening words.
//
// It reads the text word by word without copying it: a search page cuts
// one passage from each of its hits' whole texts.
func (m *Matcher) Cut(text string, n int) []news.Span {
	if n <= 0 {
		return nil
	}
	// The window of n words ending at word count holds hits hits; the
	// rings remember, for the last n+n/4 words, whether each was a hit
	// and where it starts, so that the passage can start a little before
	// the best window's first hit without reading the text again.
	size := n + n/4
	ring := make([]bool, size)
	offs := make([]int, size)
	// start is the passage's first word, startAt its byte offset.
	// at is count's place in the rings (count%size), and out that of the
	// word leaving the window, n words before.
	start, startAt, bestHits, hits, count, at := 0, 0, -1, 0, 0, 0
	for from, end := news.NextWord(text, 0); from < len(text); from, end = news.NextWord(text, end) {
		hit := m.first[text[from]] && m.match(text[from:end])
		if hit {
			hits++
		}
		if count >= n {
			out := at - n
			if out < 0 {
				out += size
			}
			if ring[out] {
				hits--
			}
		}
		ring[at], offs[at] = hit, from
		if hits > bestHits {
			bestHits = hits
			// The passage starts n/4 words before the window's first
			// hit, or where the window does.
			first := max(0, count-n+1)
			start = first
			for i := first; i <= count; i++ {
				if ring[i%size] {
					start = max(0, i-n/4) // still in the rings: i-n/4 > count-size
					break
				}
			}
			startAt = offs[start%size]
		}
		count++
		if at++; at == size {
			at = 0
		}
		if bestHits == n {
			break
		}
	}
	if count == 0 {
		return nil
	}
	ws := windowWords(text, m, startAt, n)
	from, to := ws[0].start, ws[len(ws)-1].end
	if start == 0 {
		from = 0
	}
	last := len(ws) < n
	if !last {
		next, _ := news.NextWord(text, to)
		last = next >= len(text)
	}
	if last {
		to = len(text)
	}
	out := spans(text, ws, from, to)
	for i := range out {
		if !out[i].Match {
			out[i].Text = news.CollapseSpace(out[i].Text)
		}
	}
	if start == 0 && len(out) > 0 && !out[0].Match {
		out[0].Text = strings.TrimLeft(out[0].Text, " ")
	}
	if last && len(out) > 0 && !out[len(out)-1].Match {
		out[len(out)-1].Text = strings.TrimRight(out[len(out)-1].Text, " ")
	}
	if from > 0 {
		out = append([]news.Span{{Text: "…"}}, out...)
	}
	if to < len(text) {
		out = append(out, news.Span{Text: "…"})
	}
	return out
}

// windowWords returns n words of text from byte at on (fewer at its
// end), each marked whether it answers the query.
func windowWords(text string, m *Matcher, at, n int) []word {
	ws := make([]word, 0, n)
	for start, end := news.NextWord(text, at); start < len(text) && len(ws) < n; start, end = news.NextWord(text, end) {
		ws = append(ws, word{start, end, m.match(text[start:end])})
	}
	return ws
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
