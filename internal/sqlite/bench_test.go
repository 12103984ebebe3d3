package sqlite

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"newsdesk/internal/corpus"
	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
)

// The benchmark corpus ends at the test clock, so every story is visible.

var (
	corpusMu    sync.Mutex
	corpusCache = map[int][]byte{}
)

// benchCorpus returns the first n stories of the synthetic corpus (seed 1)
// as NDJSON, made once per process.
func benchCorpus(b *testing.B, n int) []byte {
	b.Helper()
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if data, ok := corpusCache[n]; ok {
		return data
	}
	var buf bytes.Buffer
	if err := corpus.WriteNDJSON(&buf, n, 1, now); err != nil {
		b.Fatal(err)
	}
	corpusCache[n] = buf.Bytes()
	return buf.Bytes()
}

var importN = flag.Int("import.n", 0, "BenchmarkImport also imports this many stories (e.g. 100000, to profile the full-size import)")

// BenchmarkImport imports n stories through ingest.Import into a new
// database, with full-text indexing and related-story computation, and
// reports stories per second. scripts/import-bench.sh times 100k through
// the command line.
func BenchmarkImport(b *testing.B) {
	sizes := []int{1000, 10_000}
	if *importN > 0 {
		sizes = append(sizes, *importN)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("stories=%d", n), func(b *testing.B) {
			data := benchCorpus(b, n)
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				db, err := Open(ctx, filepath.Join(b.TempDir(), "import.db"))
				if err != nil {
					b.Fatal(err)
				}
				db.Now = func() time.Time { return now }
				b.StartTimer()
				rep, err := ingest.Import(ctx, deskOf(db), bytes.NewReader(data), "")
				b.StopTimer()
				if err != nil || rep.Added != n {
					b.Fatalf("import = %v, %v; want %d added", rep, err, n)
				}
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "stories/s")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n*b.N), "µs/story")
		})
	}
}

// readBench is the 10k-story database the read benchmarks share, with the
// slugs and ids of its stories.
var readBench struct {
	once  sync.Once
	db    *DB
	slugs []string
	ids   []int64
	err   error
}

const readStories = 10_000

// benchDB returns the shared read database, importing the corpus into a
// temporary directory the first time.
func benchDB(b *testing.B) *DB {
	b.Helper()
	r := &readBench
	r.once.Do(func() {
		ctx := context.Background()
		data := benchCorpus(b, readStories)
		dir, err := benchTempDir()
		if err != nil {
			r.err = err
			return
		}
		start := time.Now()
		db, err := Open(ctx, filepath.Join(dir, "read.db"))
		if err != nil {
			r.err = err
			return
		}
		db.Now = func() time.Time { return now }
		if rep, err := ingest.Import(ctx, deskOf(db), bytes.NewReader(data), ""); err != nil || rep.Added != readStories {
			r.err = fmt.Errorf("import = %v, %v; want %d added", rep, err, readStories)
			return
		}
		list, _, err := db.Stories(ctx, news.StoryFilter{Page: news.Page{Number: 1, Size: readStories}})
		if err != nil {
			r.err = err
			return
		}
		for _, s := range list {
			r.slugs = append(r.slugs, s.Slug)
			r.ids = append(r.ids, s.ID)
		}
		r.db = db
		b.Logf("built a %d-story database in %v", len(list), time.Since(start).Round(time.Millisecond))
		runtime.GC() // collect the import's garbage now, not while timing
	})
	if r.err != nil {
		b.Fatal(r.err)
	}
	return r.db
}

// benchTempDir makes a directory for this process's shared database and
// removes those that processes no longer running left behind: nothing
// else ends when the last benchmark does.
func benchTempDir() (string, error) {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "newsdesk-bench-*"))
	for _, d := range old {
		pid, err := strconv.Atoi(strings.Split(filepath.Base(d), "-")[2])
		if err != nil {
			continue
		}
		if p, err := os.FindProcess(pid); err != nil || p.Signal(syscall.Signal(0)) != nil {
			os.RemoveAll(d)
		}
	}
	return os.MkdirTemp("", fmt.Sprintf("newsdesk-bench-%d-", os.Getpid()))
}

// BenchmarkStoryBySlug reads one article by slug, as the article page does.
func BenchmarkStoryBySlug(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	slugs := readBench.slugs
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := db.StoryBySlug(ctx, slugs[i*7919%len(slugs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRelatedRead reads the stored related stories of one story, with
// the other sources of each, as the article page does.
func BenchmarkRelatedRead(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	ids := readBench.ids
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := db.Related(ctx, ids[i*7919%len(ids)], 6); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSearch runs reader searches of several shapes: a very common
// word, two common words, a topic's distinctive word, a phrase from a
// headline, and a word still being typed.
func BenchmarkSearch(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	// Words of one story's headline stand for what a reader looks for.
	head, err := db.StoryBySlug(ctx, readBench.slugs[len(readBench.slugs)/3])
	if err != nil {
		b.Fatal(err)
	}
	words := strings.Fields(head.Title)
	queries := []struct{ name, q string }{
		{"common", "government"},
		{"two-words", "election campaign"},
		{"topical", words[0]}, // a place, person or topic word
		{"phrase", `"` + words[0] + " " + words[1] + `"`},
		{"prefix", "invest"},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			f := news.SearchFilter{Query: news.ParseQuery(q.q), Page: news.Page{Number: 1, Size: 10}}
			res, err := db.Search(ctx, f)
			if err != nil || res.Total == 0 {
				b.Fatalf("Search(%q) = %d results, %v; want some", q.q, res.Total, err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := db.Search(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Total), "matches")
		})
	}
}

// BenchmarkSearchStored runs reader searches against an existing database
// named by NEWSDESK_BENCH_DB (make bench passes its 100k-story one; the
// benchmark is skipped without it): a word in about 45 % of the synthetic
// stories, a name in under 1 %, a word in none, two words, a phrase, a
// word still being typed and a three-letter fragment. The query path
// only: no page rendering.
func BenchmarkSearchStored(b *testing.B) {
	path := os.Getenv("NEWSDESK_BENCH_DB")
	if path == "" {
		b.Skip("NEWSDESK_BENCH_DB names no database")
	}
	ctx := context.Background()
	db, err := OpenExisting(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, q := range []struct{ name, q string }{
		{"common", "government"},
		{"rare", "jodorn"},
		{"few", "stovirt"},
		{"absent", "zzyzx"},
		{"two-words", "election campaign"},
		{"phrase", `"prime minister"`},
		{"prefix", "invest"},
		{"fragment", "gov"},
	} {
		b.Run(q.name, func(b *testing.B) {
			f := news.SearchFilter{Query: news.ParseQuery(q.q), Page: news.Page{Number: 1, Size: 20}}
			res, err := db.Search(ctx, f)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := db.Search(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Total), "matches")
		})
	}
}
