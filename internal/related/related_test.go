package related

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func add(x *Index, id int64, section string, age time.Duration, title, text string, tags ...string) {
	x.Add(Story{ID: id, Section: section, Published: t0.Add(-age), Cluster: 100 + id}, Extract(title, "", text, tags, t0.Add(-age)))
}

// choose places a story as the store does: in the cluster Choose picks,
// else in one of its own.
func choose(own int64) func([]Candidate) int64 {
	return func(c []Candidate) int64 {
		if ch, ok := Choose(c, nil); ok {
			return ch.Cluster
		}
		return own
	}
}

func TestRelatedRanksTopicsAndCollapsesCopies(t *testing.T) {
	flood := "The river burst its banks and flooded the old town overnight while rescue crews used boats to reach families. " +
		"The mayor said the water peaked at dawn and the flood barriers held in most districts of the city."
	x := NewIndex()
	add(x, 1, "world", time.Hour, "River floods old town", flood, "flood")
	add(x, 2, "world", 50*time.Minute, "River floods the old town", strings.Replace(flood, "overnight", "late at night", 1), "flood")
	add(x, 3, "world", 24*time.Hour, "Town counts flood damage", "After the flood residents cleared mud from cellars; the river water receded and rescue crews left the old town.", "flood")
	add(x, 4, "sport", time.Hour, "Rovers win the cup", "The striker scored twice and the goalkeeper saved a penalty as Rovers won the cup final.", "football")
	add(x, 5, "world", 60*24*time.Hour, "Flood barriers debate", "Councillors debated higher flood barriers along the river after water reached the old town.", "flood")

	res := x.Related(1, 6, choose(101))
	if res.Cluster != 102 || len(res.Compared) != 1 || res.Compared[0].ID != 2 || !res.Compared[0].Evidence.Same {
		t.Fatalf("Related(1) = %+v, want story 2 as its copy", res)
	}
	var ids []int64
	for _, m := range res.Related {
		ids = append(ids, m.ID)
	}
	if len(ids) != 2 || ids[0] != 3 || ids[1] != 5 {
		t.Errorf("Related(1) ids = %v, want [3 5]: topical, recent first, no copy, no sport", ids)
	}
	// From story 3, the two copies appear once.
	res = x.Related(3, 6, choose(103))
	seen := map[int64]int{}
	for _, m := range res.Related {
		seen[m.Cluster]++
		if m.ID == 3 {
			t.Error("a story is related to itself")
		}
	}
	for c, n := range seen {
		if n > 1 {
			t.Errorf("cluster %d listed %d times", c, n)
		}
	}
}

func TestOffer(t *testing.T) {
	x := NewIndex()
	for id := int64(1); id <= 5; id++ {
		add(x, id, "", 0, "story", "words for story number "+strings.Repeat("x", int(id)))
	}
	x.SetList(1, []Match{{ID: 2, Cluster: 2, Score: 0.5}})
	ids := func(l []Match) (out []int64) {
		for _, m := range l {
			out = append(out, m.ID)
		}
		return out
	}
	list, was, ok := x.Offer(1, 3, 0.7, 2)
	if !ok || !slices.Equal(ids(list), []int64{3, 2}) || !slices.Equal(ids(was), []int64{2}) {
		t.Fatalf("Offer better = %v (was %v) %v, want [3 2] (was [2])", ids(list), ids(was), ok)
	}
	if list, was, ok = x.Offer(1, 4, 0.6, 2); !ok || !slices.Equal(ids(list), []int64{3, 4}) || !slices.Equal(ids(was), []int64{3, 2}) {
		t.Fatalf("Offer second best = %v (was %v) %v, want [3 4] (was [3 2])", ids(list), ids(was), ok)
	}
	// Ties rank by id, as in Related: 5 stays below an equal 4, and 2
	// goes above it.
	if _, _, ok := x.Offer(1, 5, 0.6, 2); ok {
		t.Error("a story tied with the last, with a greater id, entered a full list")
	}
	if list, _, ok = x.Offer(1, 2, 0.6, 2); !ok || !slices.Equal(ids(list), []int64{3, 2}) {
		t.Fatalf("Offer tied, smaller id = %v %v, want [3 2]", ids(list), ok)
	}
	if _, _, ok := x.Offer(1, 4, 0.1, 2); ok {
		t.Error("a weaker story entered a full list")
	}
	if _, _, ok := x.Offer(1, 1, 0.9, 2); ok {
		t.Error("a story entered its own list")
	}
}

// Extract gives a story's terms in no particular order; the vector Add
// keeps must not depend on it.
func TestAddKeepsOneVectorWhateverTheTermOrder(t *testing.T) {
	// Many terms used once: their scores tie, and the tie decides which
	// of them the vector keeps.
	text := "apple birch cedar delta ember fjord grove harbor island jetty kelp lagoon " +
		"meadow north orchard prairie quarry ridge summit tundra upland valley willow yard zephyr anchor " +
		"beacon canyon dune estuary forest glacier hollow inlet jungle knoll"
	f := Extract("Coastal survey", "", text, []string{"geography"}, t0)
	var vectors []string
	for _, order := range []func([]TermFreq){
		func(ts []TermFreq) {
			slices.SortFunc(ts, func(a, b TermFreq) int { return strings.Compare(a.Term, b.Term) })
		},
		func(ts []TermFreq) {
			slices.SortFunc(ts, func(a, b TermFreq) int { return strings.Compare(b.Term, a.Term) })
		},
	} {
		g := f
		g.Terms = slices.Clone(f.Terms)
		order(g.Terms)
		vectors = append(vectors, NewIndex().Add(Story{ID: 1, Published: t0}, g))
	}
	if vectors[0] != vectors[1] {
		t.Fatalf("the vector depends on the order of the terms:\n%s\n%s", vectors[0], vectors[1])
	}
	if n := len(strings.Fields(vectors[0])); n != vectorTerms {
		t.Fatalf("vector has %d terms, want %d: %s", n, vectorTerms, vectors[0])
	}
}
