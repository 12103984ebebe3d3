// Package terms splits text into the normalized words that similarity,
// summaries and tag suggestions compare.
package terms

import (
	"iter"
	"slices"
	"strings"
	"unicode"

	"newsdesk/internal/news"
)

// Words returns the lowercase words of s in order, stop words included,
// by the site's one definition of a word (news.Words): Markdown
// punctuation and URLs' separators split words, an apostrophe before a
// letter does not ("don't").
func Words(s string) []string { return news.Words(s) }

// Terms returns the content words of s: stop words and words shorter than
// three letters dropped, possessives and plurals folded ("banks" → "bank").
func Terms(s string) []string { return slices.Collect(All(s)) }

// All yields the terms of s in order, those Terms returns, for a caller
// that counts or hashes them without keeping the slice.
func All(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for start, end := news.NextWord(s, 0); start < len(s); start, end = news.NextWord(s, end) {
			if t := Normalize(news.FoldWord(s[start:end])); t != "" && !yield(t) {
				return
			}
		}
	}
}

// Normalize folds one lowercase word into its term, or "" for a stop word.
func Normalize(w string) string {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
	if len(w) < 3 || stop[w] || isNumber(w) {
		return ""
	}
	return stem(w)
}

// stem strips the commonest English inflections. It is deliberately light:
// enough that "flood", "floods", "flooded" and "flooding" meet, without a
// dictionary. Stems need not be words ("estimate" → "estimat"); they only
// have to agree.
func stem(w string) string {
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ies"):
		w = w[:len(w)-3] + "y"
	case len(w) > 4 && strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
		!strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:len(w)-1]
	}
	switch {
	case len(w) > 6 && strings.HasSuffix(w, "ing"):
		w = w[:len(w)-3]
	case len(w) > 5 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed"):
		w = w[:len(w)-2]
	}
	if len(w) > 4 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all also am an and any are aren't as at
	be because been before being below between both but by can cannot could did do does doing down during
	each few for from further had has have having he her here hers herself him himself his how i if in into
	is it its itself just me more most my myself no nor not now of off on once only or other ought our ours
	ourselves out over own same she should so some such than that the their theirs them themselves then there
	these they this those through to too under until up very was we were what when where which while who
	whom why will with would you your yours yourself yourselves said says say saying told tell one two three
	four five six seven eight nine ten first second last new also year years yesterday today tomorrow week
	weeks month months day days time times like just still even much many may might must shall per via
	around across among within without according since ago back well get got make made way people thing
	things mr mrs ms dr monday tuesday wednesday thursday friday saturday sunday number percent including
	another every whether though although however already yet while added asked went going gone come came
	take taken took give given see seen use used using want wanted need needed part set put next`) {
		m[w] = true
	}
	return m
}()
