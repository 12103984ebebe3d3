package templates

import (
	"strconv"
	"strings"

	"newsdesk/internal/news"
)

// sourceNames names the first n sources and counts the rest:
// "Global Wire, Yahoo +2".
func sourceNames(list []news.Source, n int) string {
	names := make([]string, 0, min(n, len(list)))
	for _, s := range list[:min(n, len(list))] {
		names = append(names, s.Name)
	}
	out := strings.Join(names, ", ")
	if rest := len(list) - len(names); rest > 0 {
		out += " +" + strconv.Itoa(rest)
	}
	return out
}

func versionSources(list []*news.Story) []news.Source {
	var out []news.Source
	seen := map[int64]bool{}
	for _, s := range list {
		if !seen[s.Source.ID] {
			seen[s.Source.ID] = true
			out = append(out, s.Source)
		}
	}
	return out
}
