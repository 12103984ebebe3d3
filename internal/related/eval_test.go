package related_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/markdown"
	"newsdesk/internal/news"
	"newsdesk/internal/related"
	"newsdesk/internal/summary"
)

// The labelled evaluation set (docs/RELEVANCE.md says how it was made):
// the demo corpus, hand-written same-topic stories, and copies derived
// from demo stories by fixed rules below. The test places every item as
// the store does, in publish order, then scores duplicates and related
// lists against the labels.

type evalItem struct {
	id        int64
	title     string
	summary   string
	body      string
	source    string
	section   string
	tags      []string
	published time.Time
	event     string // items with one event are one story
	arc       string // items of one arc are on one topic ("" unjudged)
	kind      string // original, distractor, excerpt, reworded, reworded-excerpt
}

type record struct {
	Arc         string   `json:"arc"`
	Event       string   `json:"event"`
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Body        string   `json:"body"`
	PublishedAt string   `json:"published_at"`
	Source      string   `json:"source"`
	URL         string   `json:"url"`
	Section     string   `json:"section"`
	Tags        []string `json:"tags"`
}

func readRecords(t *testing.T, path string) []record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []record
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func firstParagraph(body string) string {
	p, _, _ := strings.Cut(strings.TrimSpace(body), "\n\n")
	return p
}

func evalSet(t *testing.T) []evalItem {
	var labels struct {
		Arcs     map[string]string `json:"arcs"`
		Events   map[string]string `json:"events"`
		Rewrites []struct{ Of, Title string }
	}
	b, err := os.ReadFile("testdata/eval-labels.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &labels); err != nil {
		t.Fatal(err)
	}
	var items []evalItem
	add := func(r record, event, arc, kind string) {
		items = appendItem(t, items, r, event, arc, kind)
	}
	demo := readRecords(t, "../demo/stories.ndjson")
	byURL := map[string]record{}
	for i, r := range demo {
		event := labels.Events[r.URL]
		if event == "" {
			event = r.URL
		}
		add(r, event, labels.Arcs[r.URL], "original")
		byURL[r.URL] = r
		// Rule 1: every fourth demo story is also carried as an
		// excerpt-only feed item: headline and first paragraph, no dek,
		// two hours later, by a syndicator.
		if i%4 == 0 {
			c := r
			c.Summary, c.Body, c.Source = "", firstParagraph(r.Body), "Yahoo News"
			c.PublishedAt = shift(t, r.PublishedAt, 2*time.Hour)
			add(c, event, labels.Arcs[r.URL], "excerpt")
		}
	}
	// Rule 2: the hand-written headline rewrites, five hours later by an
	// aggregator; alternately the full text and the first paragraph only.
	for i, rw := range labels.Rewrites {
		r, ok := byURL[rw.Of]
		if !ok {
			t.Fatalf("rewrite of unknown story %s", rw.Of)
		}
		event := labels.Events[r.URL]
		if event == "" {
			event = r.URL
		}
		c := r
		c.Title, c.Source = rw.Title, "NewsNow Digest"
		c.PublishedAt = shift(t, r.PublishedAt, 5*time.Hour)
		kind := "reworded"
		if i%2 == 1 {
			c.Summary, c.Body, kind = "", firstParagraph(r.Body), "reworded-excerpt"
		}
		add(c, event, labels.Arcs[r.URL], kind)
	}
	for _, r := range readRecords(t, "testdata/eval-distractors.ndjson") {
		add(r, r.URL, r.Arc, "distractor")
	}
	renumber(items)
	return items
}

func appendItem(t *testing.T, items []evalItem, r record, event, arc, kind string) []evalItem {
	t.Helper()
	pub, err := time.Parse(time.RFC3339, r.PublishedAt)
	if err != nil {
		t.Fatal(err)
	}
	it := evalItem{title: r.Title, summary: r.Summary, body: r.Body, source: r.Source, section: news.Slugify(r.Section),
		published: pub, event: event, arc: arc, kind: kind}
	for _, tag := range news.NewTags(r.Tags) {
		it.tags = append(it.tags, tag.Slug)
	}
	return append(items, it)
}

// renumber sorts items in publish order and numbers them from 1.
func renumber(items []evalItem) {
	sort.SliceStable(items, func(i, j int) bool { return items[i].published.Before(items[j].published) })
	for i := range items {
		items[i].id = int64(i + 1)
	}
}

func shift(t *testing.T, ts string, d time.Duration) string {
	p, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		t.Fatal(err)
	}
	return p.Add(d).Format(time.RFC3339)
}

// scores are the measures of one evaluation run.
type scores struct {
	items, pairs             int
	tp, fp, fn               int
	precision, recall        float64 // duplicates
	p5, p5strict, r6         float64 // related
	judged                   int
	falseMerges, missedPairs []string
}

// evaluate places every item as the store does, in publish order, then
// scores duplicate pairs among the items counted and the related lists
// of the judged items counted.
func evaluate(items []evalItem, counted func(evalItem) bool) scores {
	idx := related.NewIndex()
	cluster := map[int64]int64{}
	for _, it := range items {
		summary := it.summary
		text := markdown.Text(it.body)
		if summary == "" {
			summary = excerptOf(text) // as summary.Derive does for the store
		}
		idx.Add(related.Story{ID: it.id, Section: it.section, Published: it.published},
			related.Extract(it.title, summary, text, it.tags, it.published))
		res := idx.Related(it.id, 8, func(c []related.Candidate) int64 {
			c = slices.DeleteFunc(c, func(c related.Candidate) bool { return c.Cluster <= 0 })
			if ch, ok := related.Choose(c, nil); ok {
				return ch.Cluster
			}
			return it.id
		})
		cluster[it.id] = res.Cluster
	}
	var sc scores
	sc.items = len(items)

	// Duplicates: over all pairs, predicted "same cluster" against "same event".
	for i := range items {
		for j := i + 1; j < len(items); j++ {
			a, b := items[i], items[j]
			if !counted(a) && !counted(b) {
				continue
			}
			same, said := a.event == b.event, cluster[a.id] == cluster[b.id]
			pair := fmt.Sprintf("%q (%s, %s) and %q (%s, %s)", a.title, a.source, a.kind, b.title, b.source, b.kind)
			switch {
			case same && said:
				sc.tp++
			case said:
				sc.fp++
				sc.falseMerges = append(sc.falseMerges, pair)
			case same:
				sc.fn++
				sc.missedPairs = append(sc.missedPairs, pair)
			}
		}
	}
	sc.pairs = sc.tp + sc.fn
	sc.precision = ratio(sc.tp, sc.tp+sc.fp)
	sc.recall = ratio(sc.tp, sc.tp+sc.fn)

	// Related: for each judged item, the first five and six related
	// stories against the other events of its arc.
	byID := map[int64]evalItem{}
	for _, it := range items {
		byID[it.id] = it
	}
	relevantTo := func(it evalItem, id int64) bool {
		o := byID[id]
		return o.arc == it.arc && o.event != it.event
	}
	var pSum, capSum, rSum float64
	var pN, capN, rN int
	for _, it := range items {
		if it.arc == "" || !counted(it) {
			continue
		}
		list := idx.Related(it.id, 8, nil).Related
		relevant := map[string]bool{}
		for _, o := range items {
			if o.arc == it.arc && o.event != it.event {
				relevant[o.event] = true
			}
		}
		if n := min(5, len(list)); n > 0 {
			hits := 0
			for _, m := range list[:n] {
				if relevantTo(it, m.ID) {
					hits++
				}
			}
			pSum += float64(hits) / float64(n)
			pN++
		}
		// Precision over the first min(5, relevant) places: an arc of three
		// stories cannot fill five places with relevant ones.
		if k := min(5, len(relevant), len(list)); k > 0 {
			hits := 0
			for _, m := range list[:k] {
				if relevantTo(it, m.ID) {
					hits++
				}
			}
			capSum += float64(hits) / float64(k)
			capN++
		}
		if len(relevant) > 0 {
			found := map[string]bool{}
			for _, m := range list[:min(6, len(list))] {
				if o := byID[m.ID]; relevant[o.event] {
					found[o.event] = true
				}
			}
			rSum += float64(len(found)) / float64(min(6, len(relevant)))
			rN++
		}
	}
	sc.p5strict, sc.r6 = pSum/float64(max(pN, 1)), rSum/float64(max(rN, 1))
	sc.p5 = capSum / float64(max(capN, 1))
	sc.judged = capN
	return sc
}

func (sc scores) log(t *testing.T, name string) {
	t.Helper()
	t.Logf("%s: %d items, %d true copy pairs", name, sc.items, sc.pairs)
	t.Logf("%s: duplicates: precision %.3f, recall %.3f (%d found, %d false, %d missed)", name, sc.precision, sc.recall, sc.tp, sc.fp, sc.fn)
	t.Logf("%s: related: precision@5 %.3f over %d stories (strict: %.3f), recall@6 %.3f", name, sc.p5, sc.judged, sc.p5strict, sc.r6)
}

// TestEvaluation reports duplicate precision and recall and related
// precision@5 and recall@6 on the labelled set, and holds them to the
// targets of docs/RELEVANCE.md.
func TestEvaluation(t *testing.T) {
	items := evalSet(t)
	sc := evaluate(items, func(evalItem) bool { return true })
	sc.log(t, "evaluation set")
	for _, m := range sc.falseMerges {
		t.Errorf("false merge: %s", m)
	}
	for _, m := range sc.missedPairs {
		t.Logf("missed copy: %s", m)
	}
	if sc.precision < 1 {
		t.Errorf("duplicate precision %.3f, want 1.0", sc.precision)
	}
	if sc.recall < 0.95 {
		t.Errorf("duplicate recall %.3f, want ≥ 0.95", sc.recall)
	}
	if sc.p5 < 0.95 {
		t.Errorf("related precision@5 %.3f, want ≥ 0.95", sc.p5)
	}
}

// TestEvaluationHeldOut scores the held-out stories
// (testdata/eval-heldout.ndjson), placed among the whole evaluation set:
// they were written and labelled before the ranking was last changed
// and were not looked at while changing it (docs/RELEVANCE.md).
func TestEvaluationHeldOut(t *testing.T) {
	items := evalSet(t)
	for _, r := range readRecords(t, "testdata/eval-heldout.ndjson") {
		items = appendItem(t, items, r, r.Event, r.Arc, "heldout")
	}
	renumber(items)
	sc := evaluate(items, func(it evalItem) bool { return it.kind == "heldout" })
	sc.log(t, "held-out")
	for _, m := range sc.falseMerges {
		t.Errorf("false merge: %s", m)
	}
	if sc.precision < 1 {
		t.Errorf("duplicate precision %.3f, want 1.0", sc.precision)
	}
	if sc.recall < 0.95 {
		t.Errorf("duplicate recall %.3f, want ≥ 0.95", sc.recall)
	}
	// Measured once after the change it checks: 0.800 (docs/RELEVANCE.md
	// says why the target is not met here); this holds that level.
	if sc.p5 < 0.80 {
		t.Errorf("related precision@5 %.3f, want ≥ 0.80 (target 0.95)", sc.p5)
	}
}

// TestEvaluationSuggestedTags scores the evaluation set with every tag
// replaced by the ones the site suggests from the text, as for a feed
// item that carries none: the ranking must not rest on hand-given tags.
func TestEvaluationSuggestedTags(t *testing.T) {
	items := evalSet(t)
	for i := range items {
		it := &items[i]
		it.tags = nil
		for _, tag := range news.NewTags(summary.Keywords(it.title, markdown.Text(it.body), 4)) {
			it.tags = append(it.tags, tag.Slug)
		}
	}
	sc := evaluate(items, func(evalItem) bool { return true })
	sc.log(t, "suggested tags")
	if sc.precision < 1 {
		t.Errorf("duplicate precision %.3f, want 1.0", sc.precision)
	}
	// Levels measured with hand-given tags ignored (docs/RELEVANCE.md).
	if sc.p5 < 0.82 || sc.r6 < 0.85 {
		t.Errorf("related precision@5 %.3f, recall@6 %.3f, want ≥ 0.82 and ≥ 0.85", sc.p5, sc.r6)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// excerptOf is the first paragraph of text, as a feed item without a dek
// gets one derived.
func excerptOf(text string) string {
	p, _, _ := strings.Cut(strings.TrimSpace(text), "\n\n")
	return p
}
