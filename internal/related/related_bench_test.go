package related_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"newsdesk/internal/corpus"
	"newsdesk/internal/markdown"
	"newsdesk/internal/news"
	"newsdesk/internal/related"
)

// benchEnd is the newest story's time in the benchmark corpus.
var benchEnd = time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)

var (
	benchMu      sync.Mutex
	benchIndexes = map[int]*related.Index{}
)

// benchIndex returns an index of the first n stories of the synthetic
// corpus (seed 1), with ids 1…n, built the way the store builds it on
// write. It is built once per process.
func benchIndex(b *testing.B, n int) *related.Index {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if idx, ok := benchIndexes[n]; ok {
		return idx
	}
	start := time.Now()
	idx := related.NewIndex()
	for i, s := range corpus.Generate(n, 1, benchEnd) {
		slugs := make([]string, len(s.Tags))
		for k, t := range s.Tags {
			slugs[k] = t.Slug
		}
		text := markdown.Text(s.Body)
		f := related.Extract(s.Title, s.Summary, text, slugs, s.PublishedAt)
		idx.Add(related.Story{ID: int64(i + 1), Section: news.Slugify(s.Section.Name), Published: s.PublishedAt}, f)
	}
	b.Logf("built an index of %d stories in %v", n, time.Since(start).Round(time.Millisecond))
	// Collect the corpus now, not while the benchmark runs.
	runtime.GC()
	benchIndexes[n] = idx
	return idx
}

// BenchmarkRelated times one related-stories query (8 kept, as the store
// keeps) against an index of 10k and of 100k stories, over varied stories.
func BenchmarkRelated(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("stories=%d", n), func(b *testing.B) {
			idx := benchIndex(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				// A stride prime to n visits stories old and new alike.
				idx.Related(int64(i*7919%n+1), 8, nil)
				i++
			}
		})
	}
}

// BenchmarkAdd times adding one story, its features extracted before, to
// an index of 10k stories, as an import's writer does for each story.
func BenchmarkAdd(b *testing.B) {
	const n, extra = 10_000, 2_000
	idx := related.NewIndex()
	var feats []related.Features
	var stories []related.Story
	for i, s := range corpus.Generate(n+extra, 1, benchEnd) {
		slugs := make([]string, len(s.Tags))
		for k, t := range s.Tags {
			slugs[k] = t.Slug
		}
		f := related.Extract(s.Title, s.Summary, markdown.Text(s.Body), slugs, s.PublishedAt)
		st := related.Story{ID: int64(i + 1), Section: news.Slugify(s.Section.Name), Published: s.PublishedAt}
		if i < n {
			idx.Add(st, f)
			continue
		}
		feats, stories = append(feats, f), append(stories, st)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		st := stories[i%extra]
		st.ID = int64(n + 1 + i)
		idx.Add(st, feats[i%extra])
		i++
	}
}

// BenchmarkExtract times extracting one story's features (its terms and
// its fingerprint), as an import does for every story it derives.
func BenchmarkExtract(b *testing.B) {
	stories := corpus.Generate(200, 1, benchEnd)
	texts := make([]string, len(stories))
	for i, s := range stories {
		texts[i] = markdown.Text(s.Body)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s := stories[i%len(stories)]
		related.Extract(s.Title, s.Summary, texts[i%len(stories)], []string{"politics", "europe"}, s.PublishedAt)
		i++
	}
}
