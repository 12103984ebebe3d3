package corpus

import (
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"newsdesk/internal/news"
)

// A flat corpus is shaped unlike the topical one, to check that import
// and search costs do not depend on its particular shape: no topics, so
// every story draws its words from one made-up vocabulary with a Zipf
// law; one word ("market") in about seven stories in ten and "the" in
// nearly all; stories in no order of time over two years; bodies of 3 to
// 16 paragraphs, one story in 500 of 150; 5,000 tags; and one story in
// twenty a copy of a recent one from another outlet, cut to its first
// paragraphs, its headline's words reordered, published up to a day and
// a half later (never after now).
const (
	flatVocabulary = 40000
	flatTags       = 5000
	flatSources    = 60
	// FlatCommonWord is in about seven stories in ten of a flat corpus.
	FlatCommonWord = "market"
	flatSpan       = 2 * 365 * 24 * time.Hour
	flatCopyEvery  = 20
	flatRecent     = 200 // a copy's original is among this many stories before it
)

// WriteFlatNDJSON writes n stories of a flat corpus as NDJSON, published
// within two years before now. The same n, seed and now give the same
// bytes.
func WriteFlatNDJSON(w io.Writer, n int, seed int64, now time.Time) error {
	g := newFlat(seed, now)
	return writeNDJSON(w, n, g.record)
}

// GenerateFlat returns the n stories WriteFlatNDJSON writes, as the
// NDJSON importer would read them.
func GenerateFlat(n int, seed int64, now time.Time) []*news.Story {
	g := newFlat(seed, now)
	out := make([]*news.Story, n)
	for i := range out {
		out[i] = g.record(i).Story()
	}
	return out
}

type flat struct {
	r       *rand.Rand
	zipf    *rand.Zipf
	now     time.Time
	vocab   []string
	tags    []string
	sources []string
	recent  []Record // the latest originals, which copies copy
}

// record returns story i: a copy of a recent one, one time in
// flatCopyEvery, else a new one.
func (g *flat) record(i int) Record {
	if len(g.recent) > 0 && g.r.IntN(flatCopyEvery) == 0 {
		return g.copyOf(g.recent[g.r.IntN(len(g.recent))], i)
	}
	rec := g.story(i)
	if g.recent = append(g.recent, rec); len(g.recent) > flatRecent {
		g.recent = g.recent[1:]
	}
	return rec
}

func newFlat(seed int64, now time.Time) *flat {
	r := rand.New(rand.NewPCG(uint64(seed), 0x666c6174))
	syllables := strings.Fields("ka lo mi ne su ta ri vo pe du shi gra bel tor xan qu ef om ir ul zen pra sto vel")
	g := &flat{r: r, zipf: rand.NewZipf(r, 1.07, 3, flatVocabulary-1), now: now}
	g.vocab = make([]string, flatVocabulary)
	for i := range g.vocab {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		g.vocab[i] = b.String()
	}
	g.tags = make([]string, flatTags)
	for i := range g.tags {
		g.tags[i] = g.vocab[r.IntN(flatVocabulary)] + strconv.Itoa(i%7)
	}
	g.sources = make([]string, flatSources)
	for i := range g.sources {
		g.sources[i] = title(g.vocab[i]) + " News"
	}
	return g
}

// flatFunctionWords are a third of a flat story's words.
var flatFunctionWords = strings.Fields("the of and to in a is that for on with as was by at from said it be has are this an its were which")

func (g *flat) word() string {
	if g.r.IntN(3) == 0 {
		return flatFunctionWords[g.r.IntN(len(flatFunctionWords))]
	}
	return g.vocab[g.zipf.Uint64()]
}

func (g *flat) words(n int) []string {
	w := make([]string, n)
	for i := range w {
		w[i] = g.word()
	}
	return w
}

func (g *flat) sentence() string {
	w := g.words(6 + g.r.IntN(22))
	if g.r.IntN(20) == 0 {
		w[g.r.IntN(len(w))] = FlatCommonWord
	}
	return title(strings.Join(w, " ")) + "."
}

func (g *flat) story(i int) Record {
	paragraphs := 3 + g.r.IntN(14)
	if g.r.IntN(500) == 0 {
		paragraphs = 150
	}
	body := make([]string, paragraphs)
	for p := range body {
		s := make([]string, 1+g.r.IntN(5))
		for k := range s {
			s[k] = g.sentence()
		}
		body[p] = strings.Join(s, " ")
	}
	rec := Record{
		Title:       title(strings.Join(g.words(5+g.r.IntN(10)), " ")),
		Body:        strings.Join(body, "\n\n"),
		PublishedAt: g.now.Add(-time.Duration(g.r.Int64N(int64(flatSpan)))).Format(time.RFC3339),
		Source:      g.sources[g.r.IntN(flatSources)],
		URL:         "https://s" + strconv.Itoa(g.r.IntN(flatSources)) + ".example/story/" + strconv.Itoa(i),
		Author:      title(g.vocab[g.r.IntN(2000)]) + " " + title(g.vocab[g.r.IntN(2000)]),
		Section:     sections[g.r.IntN(len(sections))],
	}
	if g.r.IntN(3) > 0 {
		rec.Summary = g.sentence()
	}
	if g.r.IntN(5) > 0 {
		for range 1 + g.r.IntN(8) {
			rec.Tags = append(rec.Tags, g.tags[int(g.zipf.Uint64())%flatTags])
		}
	}
	return rec
}

// copyOf returns story i as another outlet's copy of orig.
func (g *flat) copyOf(orig Record, i int) Record {
	c := orig
	words := strings.Fields(strings.ToLower(orig.Title))
	g.r.Shuffle(len(words), func(a, b int) { words[a], words[b] = words[b], words[a] })
	c.Title = title(strings.Join(words, " "))
	paragraphs := strings.Split(orig.Body, "\n\n")
	c.Body = strings.Join(paragraphs[:1+g.r.IntN(len(paragraphs))], "\n\n")
	c.Source = g.sources[g.r.IntN(flatSources)]
	c.URL = "https://copy" + strconv.Itoa(g.r.IntN(50)) + ".example/" + strconv.Itoa(i)
	pub, _ := time.Parse(time.RFC3339, orig.PublishedAt)
	if pub = pub.Add(time.Duration(g.r.IntN(36)) * time.Hour); pub.After(g.now) {
		pub = g.now
	}
	c.PublishedAt = pub.Format(time.RFC3339)
	return c
}
