package templates

import (
	"regexp"
	"strings"
)

// textPart is a run of comment text, or a web address in it.
type textPart struct {
	Text string
	URL  bool
}

var webAddress = regexp.MustCompile(`https?://[^\s<>"'\x60]+`)

// commentParagraphs splits plain comment text into paragraphs (at blank
// lines) and marks the http(s) addresses in them for linking. Trailing
// punctuation stays text: "see https://x.example/a." links without the dot.
func commentParagraphs(body string) [][]textPart {
	var out [][]textPart
	for _, para := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		var parts []textPart
		at := 0
		for _, m := range webAddress.FindAllStringIndex(para, -1) {
			end := m[1]
			for end > m[0] && strings.ContainsRune(".,;:!?)]}", rune(para[end-1])) {
				end--
			}
			if end-m[0] <= len("https://") {
				continue
			}
			if m[0] > at {
				parts = append(parts, textPart{Text: para[at:m[0]]})
			}
			parts = append(parts, textPart{Text: para[m[0]:end], URL: true})
			at = end
		}
		if at < len(para) {
			parts = append(parts, textPart{Text: para[at:]})
		}
		out = append(out, parts)
	}
	return out
}
