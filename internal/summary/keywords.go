package summary

import (
	"cmp"
	"slices"
	"strings"

	"newsdesk/internal/terms"
)

// Keywords suggests up to n tags for a story: content words that recur in
// its text, favouring those in the headline. Each is given in the form the
// story uses most ("floods" and "flood" count together).
func Keywords(title, text string, n int) []string {
	type word struct {
		score int
		forms map[string]int
	}
	words := map[string]*word{}
	add := func(s string, weight int) {
		for _, w := range terms.Words(s) {
			t := terms.Normalize(w)
			if t == "" || len(t) < 4 {
				continue
			}
			e := words[t]
			if e == nil {
				e = &word{forms: map[string]int{}}
				words[t] = e
			}
			e.score += weight
			e.forms[w]++
		}
	}
	add(title, 3)
	add(text, 1)
	type kw struct {
		name  string
		score int
	}
	var out []kw
	for _, e := range words {
		if e.score < 3 {
			continue
		}
		best, bestN := "", 0
		for f, c := range e.forms {
			if c > bestN || c == bestN && f < best {
				best, bestN = f, c
			}
		}
		out = append(out, kw{best, e.score})
	}
	slices.SortFunc(out, func(a, b kw) int { return cmp.Or(cmp.Compare(b.score, a.score), strings.Compare(a.name, b.name)) })
	names := make([]string, 0, n)
	for _, k := range out[:min(n, len(out))] {
		names = append(names, k.name)
	}
	return names
}
