package terms_test

import (
	"testing"
	"time"

	"newsdesk/internal/corpus"
	"newsdesk/internal/markdown"
	"newsdesk/internal/terms"
)

// BenchmarkTerms splits the plain texts of the synthetic corpus into
// terms, as related stories and key points do for every story written.
func BenchmarkTerms(b *testing.B) {
	var texts []string
	bytes := 0
	for _, s := range corpus.Generate(200, 1, time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)) {
		texts = append(texts, markdown.Text(s.Body))
		bytes += len(texts[len(texts)-1])
	}
	b.SetBytes(int64(bytes / len(texts)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		terms.Terms(texts[i%len(texts)])
		i++
	}
}
