package summary

import (
	"strings"

	"newsdesk/internal/markdown"
	"newsdesk/internal/news"
)

// Derive fills the fields computed from what an editor or feed wrote:
// rendered HTML, key points, reading time, a summary and tags when absent.
// It returns the plain text of the body, which it also sets as s.Text.
func Derive(s *news.Story) (text string) {
	s.BodyHTML, text = markdown.Render(s.Body)
	s.Text = text
	if strings.TrimSpace(s.Summary) == "" {
		s.Summary = lede(text, 240)
	}
	if len(s.Tags) == 0 {
		s.Tags = news.NewTags(Keywords(s.Title, text, 4))
	}
	// Readers see the summary and the first paragraph before the key
	// points; the points bring what those do not say. A story of one
	// paragraph keeps its other sentences as candidates.
	seen := s.Summary
	if first, rest, ok := strings.Cut(text, "\n\n"); ok && strings.TrimSpace(rest) != "" {
		seen += "\n\n" + first
	}
	s.KeyPoints = KeyPointsBeyond(text, seen, 3)
	s.ReadingMinutes = ReadingMinutes(text)
	return text
}

// lede returns the first sentences of text up to about n bytes.
func lede(text string, n int) string {
	para, _, _ := strings.Cut(text, "\n\n")
	para = news.OneSpaced(para)
	if len(para) <= n {
		return para
	}
	out := ""
	for _, s := range Sentences(para) {
		if len(out)+len(s) > n && out != "" {
			break
		}
		out = strings.TrimSpace(out + " " + s)
	}
	if out == "" || len(out) > n {
		cut := strings.LastIndexByte(para[:n], ' ')
		out = para[:max(cut, n/2)] + "…"
	}
	return out
}
