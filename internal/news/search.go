package news

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Query is a reader's search, parsed: words and "quoted phrases" that must
// all match, words marked with a leading "-" that must not, and whether the
// last word is a prefix still being typed.
type Query struct {
	Terms    []string // each a word or a phrase of words, lowercase
	Excluded []string
	Prefix   bool // the last of Terms matches as a prefix
}

// MaxQueryTerms bounds the work one search can ask for.
const MaxQueryTerms = 12

// ParseQuery reads what a reader typed. Anything is accepted: characters
// that are not part of a word (see Words) only separate words, so no input
// can reach the full-text engine as syntax.
func ParseQuery(s string) Query {
	var q Query
	if len(s) > 500 {
		s = s[:500]
	}
	isQuote := func(r rune) bool { return r == '"' || r == '“' || r == '”' }
	for i := 0; i < len(s) && len(q.Terms)+len(q.Excluded) < MaxQueryTerms; {
		r, n := utf8.DecodeRuneInString(s[i:])
		next, _ := utf8.DecodeRuneInString(s[i+n:])
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		switch {
		case isQuote(r):
			end := i + n
			for end < len(s) {
				c, m := utf8.DecodeRuneInString(s[end:])
				if isQuote(c) {
					break
				}
				end += m
			}
			if words := Words(s[i+n : end]); len(words) > 0 {
				q.Terms = append(q.Terms, strings.Join(words, " "))
			}
			q.Prefix = false
			i = end
			if end < len(s) {
				_, m := utf8.DecodeRuneInString(s[end:])
				i += m
			}
		case IsWordRune(r) || (r == '-' && IsWordRune(next) && (i == 0 || unicode.IsSpace(prev))):
			neg := r == '-'
			if neg {
				i += n
			}
			end := wordEnd(s, i)
			w := FoldWord(s[i:end])
			if neg {
				q.Excluded = append(q.Excluded, w)
			} else {
				q.Terms = append(q.Terms, w)
				// Only a word the reader may still be typing is a prefix.
				q.Prefix = end == len(s)
			}
			i = end
		default:
			i += n
		}
	}
	if len(q.Terms) == 0 {
		q.Excluded, q.Prefix = nil, false
	}
	return q
}

// Empty reports whether the query asks for nothing.
func (q Query) Empty() bool { return len(q.Terms) == 0 }

// Words returns every word the query looks for, phrases split.
func (q Query) Words() []string {
	var out []string
	for _, t := range q.Terms {
		out = append(out, strings.Fields(t)...)
	}
	return out
}

// FTS returns the query in SQLite FTS5 syntax. Every word is quoted, so
// FTS5 operators typed by a reader are only words.
func (q Query) FTS() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + indexTokens(t) + `"`)
		if q.Prefix && i == len(q.Terms)-1 {
			b.WriteByte('*')
		}
	}
	for _, t := range q.Excluded {
		b.WriteString(` NOT "` + indexTokens(t) + `"`)
	}
	return b.String()
}

// SearchFilter is a search with its narrowing and page.
type SearchFilter struct {
	Query       Query
	SectionSlug string
	SourceSlug  string
	Page        Page
}

// SearchResult is one page of matches.
type SearchResult struct {
	Stories []*Story
	// Total is how many stories match; when Capped, at least that many.
	Total  int
	Capped bool
}

// Span is a piece of text in a search snippet; Match marks a query hit.
type Span struct {
	Text  string
	Match bool
}
