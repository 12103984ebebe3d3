package markdown

import (
	"testing"
	"time"

	"newsdesk/internal/corpus"
)

// BenchmarkRender renders the bodies of synthetic stories (300–700 words
// of prose in paragraphs) to sanitized HTML and text.
func BenchmarkRender(b *testing.B) {
	stories := corpus.Generate(200, 1, time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Render(stories[i%len(stories)].Body)
		i++
	}
}
