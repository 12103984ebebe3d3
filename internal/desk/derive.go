package desk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"runtime"
	"sync"
	"unicode/utf8"

	"newsdesk/internal/markdown"
	"newsdesk/internal/news"
	"newsdesk/internal/related"
	"newsdesk/internal/store"
	"newsdesk/internal/summary"
)

// derived is what writing a story needs that takes no database: its
// derived fields (set on the story), plain text, fingerprint and features.
type derived struct {
	store.Derived
	feat related.Features
}

// deriveInput bounds the Markdown one derivation reads. Stories that
// passed Validate are within it already; a story stored by other means
// (an old database, a store written by hand) is derived from its first
// news.MaxBodyLen bytes, so no stored body makes deriving it unbounded.
// With the nesting and delimiter limits of internal/markdown and the
// sentence cap of internal/summary, the work per story is linear in at
// most this many bytes.
const deriveInput = news.MaxBodyLen

// derive fills s's derived fields and returns what the write stores.
// The fingerprint is taken from what the feed or editor gave, before
// anything is derived, so an unchanged item is known without deriving it.
func derive(s *news.Story) derived {
	hash := contentHash(s)
	body := s.Body
	if len(body) > deriveInput {
		s.Body = cutUTF8(body, deriveInput)
	}
	text := summary.Derive(s)
	s.Body = body
	slugs := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		slugs[i] = t.Slug
	}
	feat := related.Extract(s.Title, s.Summary, text, slugs, s.PublishedAt)
	return derived{Derived: store.Derived{Text: text, Hash: hash, Print: feat.Print.Bytes()}, feat: feat}
}

// cutUTF8 returns the first n bytes of s or fewer, never splitting a rune.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// contentHash fingerprints what a feed controls, so that re-importing an
// unchanged item is recognised as a duplicate.
func contentHash(s *news.Story) string {
	tags := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		tags[i] = t.Name
	}
	fields := []any{s.Title, s.Summary, s.Body, s.Source.Name, s.URL, s.GUID, s.Author,
		s.Dateline, s.Section.Name, tags, s.ImageURL, s.ImageAlt, s.Status, s.PublishedAt.UTC().Unix()}
	// Only stories with a picture fingerprint it, so stories stored before
	// pictures existed keep their fingerprints.
	if s.Image.ID != "" {
		fields = append(fields, s.Image.ID, s.ImageCaption, s.ImageCredit)
	}
	b, _ := json.Marshal(fields)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// deriveAll derives stories on up to workers goroutines while the caller
// goes on: the story at i is ready once ready[i] is closed. Each story is
// derived holding gate. Stories for which skip reports true get only
// their fingerprint.
func deriveAll(stories []*news.Story, workers int, gate sync.Locker, skip func(i int) bool) (out []derived, ready []chan struct{}) {
	out = make([]derived, len(stories))
	ready = make([]chan struct{}, len(stories))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	next := make(chan int, len(stories))
	for i := range stories {
		next <- i
	}
	close(next)
	for range min(workers, len(stories)) {
		go func() {
			for i := range next {
				gate.Lock()
				if skip(i) {
					out[i] = derived{Derived: store.Derived{Hash: contentHash(stories[i])}}
				} else {
					out[i] = derive(stories[i])
				}
				gate.Unlock()
				close(ready[i])
			}
		}()
	}
	return out, ready
}

// deriveEach derives every story on every core and waits.
func deriveEach(stories []*news.Story) []derived {
	out, ready := deriveAll(stories, runtime.GOMAXPROCS(0), noGate{}, func(int) bool { return false })
	for _, r := range ready {
		<-r
	}
	return out
}

// noGate is a sync.Locker that never waits.
type noGate struct{}

func (noGate) Lock()   {}
func (noGate) Unlock() {}

// plainTexts computes the plain text of Markdown bodies on every core.
func plainTexts(bodies map[int64]string) map[int64]string {
	out := make(map[int64]string, len(bodies))
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int64, len(bodies))
	for id := range bodies {
		next <- id
	}
	close(next)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for id := range next {
				t := markdown.Text(cutUTF8(bodies[id], deriveInput))
				mu.Lock()
				out[id] = t
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}
