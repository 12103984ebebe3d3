package summary

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"newsdesk/internal/news"
)

func TestSentences(t *testing.T) {
	in := "Mr. Novak said the river rose by two metres overnight. Crews worked until dawn on the bridge.\n\n" +
		"\"We are ready,\" the mayor told reporters in the town square. Short one.\n\nThe U.S. team arrived at noon with pumps and boats."
	want := []string{
		"Mr. Novak said the river rose by two metres overnight.",
		"Crews worked until dawn on the bridge.",
		"\"We are ready,\" the mayor told reporters in the town square.",
		"The U.S. team arrived at noon with pumps and boats.",
	}
	if diff := cmp.Diff(want, Sentences(in)); diff != "" {
		t.Errorf("Sentences mismatch (-want +got):\n%s", diff)
	}
}

func TestKeyPointsPicksCentralSentencesInOrder(t *testing.T) {
	text := strings.Join([]string{
		"The river flood forced thousands from their homes in the valley on Tuesday.",
		"Our reporter had a sandwich for lunch near the old railway station.",
		"Flood water from the river reached the valley homes and the town hall.",
		"A local band cancelled its concert for unrelated reasons last spring.",
		"Officials said the flood in the valley was the worst river flood in decades.",
		"Weather forecasters expect sunshine and mild temperatures at the weekend.",
	}, " ")
	got := KeyPoints(text, 3)
	want := []string{
		"The river flood forced thousands from their homes in the valley on Tuesday.",
		"Flood water from the river reached the valley homes and the town hall.",
		"Officials said the flood in the valley was the worst river flood in decades.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("KeyPoints mismatch (-want +got):\n%s", diff)
	}
}

func TestReadingMinutes(t *testing.T) {
	tests := []struct {
		words, want int
	}{{0, 1}, {1, 1}, {230, 1}, {231, 2}, {1000, 5}}
	for _, tt := range tests {
		if got := ReadingMinutes(strings.Repeat("word ", tt.words)); got != tt.want {
			t.Errorf("ReadingMinutes(%d words) = %d, want %d", tt.words, got, tt.want)
		}
	}
}

func TestKeywords(t *testing.T) {
	got := Keywords("River floods swamp valley towns",
		"The flood reached the valley at dawn. Flood crews and the river authority worked all night. The valley waited.", 3)
	want := []string{"flood", "valley", "river"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Keywords mismatch (-want +got):\n%s", diff)
	}
}

// TestDeriveBoundedOnHostileBodies derives stories whose bodies would make
// an unbounded derivation quadratic: 40,000 sentences (an N×N sentence
// graph would need about 12 GB) and a 100,000-level nested list. Each must
// finish and allocate a bounded multiple of its size.
func TestDeriveBoundedOnHostileBodies(t *testing.T) {
	var sents strings.Builder
	for i := 0; i < 40_000; i++ {
		sents.WriteString("Ab cd ef gh ij kl. ")
	}
	bodies := map[string]string{
		"40,000 sentences":   sents.String(),
		"100,000-level list": strings.Repeat("- ", 100_000) + "Quiet words that end the list here.",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			s := &news.Story{Title: "Bounded", Body: body}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			Derive(s)
			runtime.ReadMemStats(&after)
			if len(s.KeyPoints) > 3 {
				t.Errorf("KeyPoints = %d sentences, want at most 3", len(s.KeyPoints))
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 400*uint64(len(body)) {
				t.Errorf("Derive of %d bytes allocated %d bytes (%d per byte)", len(body), alloc, alloc/uint64(len(body)))
			}
		})
	}
}

func TestKeyPointsRanksOnlyTheOpening(t *testing.T) {
	var b strings.Builder
	for i := 0; i < MaxRankedSentences; i++ {
		b.WriteString("Filler words about nothing much today. ")
	}
	// Central sentences after the ranked opening cannot be chosen.
	for i := 0; i < 50; i++ {
		b.WriteString("Rivers flood the valley towns again. ")
	}
	for _, kp := range KeyPoints(b.String(), 3) {
		if strings.Contains(kp, "Rivers") {
			t.Errorf("KeyPoints chose %q from beyond the first %d sentences", kp, MaxRankedSentences)
		}
	}
}

func TestKeyPointsSkipTheLede(t *testing.T) {
	text := "The council approved a new bridge over the river on Monday.\n\n" +
		"Construction of the bridge starts in May and should take two years.\n\n" +
		"The bridge will cost 40 million euros, paid by the city and the region.\n\n" +
		"Residents near the river asked for a footpath and a cycle lane on the bridge.\n\n" +
		"The old ferry across the river will stop once the bridge opens."
	summary := "The council approved a new bridge over the river."
	got := KeyPointsBeyond(text, summary+"\n\n"+"The council approved a new bridge over the river on Monday.", 3)
	if len(got) != 3 {
		t.Fatalf("KeyPointsBeyond = %q, want 3 points", got)
	}
	for _, p := range got {
		if strings.Contains(p, "council approved") {
			t.Errorf("key point %q repeats the lede", p)
		}
	}
	// A story that is all lede has no key points beyond it.
	if got := KeyPointsBeyond("Only one sentence here.", "Only one sentence here.", 3); len(got) != 0 {
		t.Errorf("KeyPointsBeyond of a one-sentence story = %q, want none", got)
	}
}

// FuzzSentences checks that every sentence is one-spaced and 6 to 60
// words long, as strings.Fields counts words, whatever spaces the text
// had (tabs, runs, no-break spaces, lines).
func FuzzSentences(f *testing.F) {
	f.Add("One two three four five six. Seven eight nine ten eleven twelve thirteen.")
	f.Add("A\tb  c\u00a0d\ne f g. H i j k l m n o.\n\nOne two three four five six seven")
	f.Add(strings.Repeat("word ", 61) + ". " + strings.Repeat("word ", 60) + ".")
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range Sentences(text) {
			if n := len(strings.Fields(s)); n < 6 || n > 60 || s != news.OneSpaced(s) {
				t.Fatalf("Sentences(%q) has %q: %d words", text, s, n)
			}
		}
	})
}

// TestGraphAndPageRankAsComparedPairwise checks graph and pageRank against
// the plain definitions they replaced, which compared every pair of
// sentences' sets and divided each weight in every round: the same edges
// in the same order, and the same scores to the last bit.
func TestGraphAndPageRankAsComparedPairwise(t *testing.T) {
	pairwise := func(bags [][]int) [][]edge {
		edges := make([][]edge, len(bags))
		for i := range bags {
			for j := i + 1; j < len(bags); j++ {
				if len(bags[i]) < 2 || len(bags[j]) < 2 {
					continue
				}
				if shared := overlap(bags[i], bags[j]); shared > 0 {
					sim := float64(shared) / (math.Log(float64(len(bags[i]))) + math.Log(float64(len(bags[j]))))
					edges[i] = append(edges[i], edge{j, sim})
					edges[j] = append(edges[j], edge{i, sim})
				}
			}
		}
		return edges
	}
	rank := func(edges [][]edge, d float64, iters int) []float64 {
		n := len(edges)
		out, sum, next := make([]float64, n), make([]float64, n), make([]float64, n)
		for i, es := range edges {
			for _, e := range es {
				sum[i] += e.weight
			}
			out[i] = 1 / float64(n)
		}
		for range iters {
			for i, es := range edges {
				r := 0.0
				for _, e := range es {
					r += e.weight / sum[e.to] * out[e.to]
				}
				next[i] = (1-d)/float64(n) + d*r
			}
			out, next = next, out
		}
		return out
	}
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 500 {
		bags := make([][]int, r.IntN(80))
		words := 1 + r.IntN(200)
		for i := range bags {
			var b []int
			for range r.IntN(14) {
				b = append(b, r.IntN(words))
			}
			slices.Sort(b)
			bags[i] = slices.Compact(b)
		}
		want, got := pairwise(bags), graph(bags)
		for i := range want {
			if !slices.Equal(want[i], got[i]) {
				t.Fatalf("round %d, sentence %d: edges %v, want %v", round, i, got[i], want[i])
			}
		}
		if !slices.Equal(rank(want, 0.85, 30), pageRank(got, 0.85, 30)) {
			t.Fatalf("round %d: scores differ", round)
		}
	}
}
