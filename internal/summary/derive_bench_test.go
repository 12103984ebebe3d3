package summary

import (
	"strings"
	"testing"
	"time"

	"newsdesk/internal/corpus"
	"newsdesk/internal/news"
)

// BenchmarkDerive derives synthetic stories of 300–700 words (Markdown,
// key points, reading time, tags), long ones of three such bodies, and a
// 512 KiB body of 40,000 sentences that the limits keep linear.
func BenchmarkDerive(b *testing.B) {
	stories := corpus.Generate(200, 1, time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC))
	b.Run("story", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s := *stories[i%len(stories)]
			s.Tags = nil
			Derive(&s)
			i++
		}
	})
	b.Run("long-story", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s := *stories[i%len(stories)]
			s.Body = strings.Join([]string{s.Body, stories[(i+1)%len(stories)].Body, stories[(i+2)%len(stories)].Body}, "\n\n")
			s.Tags = nil
			Derive(&s)
			i++
		}
	})
	b.Run("40k-sentences", func(b *testing.B) {
		body := strings.Repeat("Ab cd ef gh ij kl. ", 27_000)
		b.ReportAllocs()
		for b.Loop() {
			s := news.Story{Title: "Long", Body: body}
			Derive(&s)
		}
	})
}
