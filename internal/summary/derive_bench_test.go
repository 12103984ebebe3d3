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

// BenchmarkKeyPoints ranks the sentences of stories of both corpora,
// and of flat stories three bodies long, whose pairs of sentences the
// graph would compare by the tens of thousands.
func BenchmarkKeyPoints(b *testing.B) {
	end := time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)
	bodies := func(list []*news.Story, join int) []string {
		out := make([]string, len(list))
		for i := range list {
			parts := make([]string, join)
			for k := range parts {
				parts[k] = list[(i+k)%len(list)].Body
			}
			out[i] = strings.Join(parts, "\n\n")
		}
		return out
	}
	for _, c := range []struct {
		name   string
		bodies []string
	}{
		{"topics", bodies(corpus.Generate(300, 1, end), 1)},
		{"flat", bodies(corpus.GenerateFlat(300, 1, end), 1)},
		{"flat-long", bodies(corpus.GenerateFlat(300, 1, end), 3)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				KeyPointsBeyond(c.bodies[i%len(c.bodies)], "", 5)
				i++
			}
		})
	}
}
