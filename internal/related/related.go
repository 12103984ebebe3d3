// Package related finds the stories most like a given one and recognises
// the same story carried by several sources.
//
// Similarity is the cosine of tf-idf vectors made of each story's most
// distinctive terms plus its tags, boosted for the same section, halved
// when the two share no tag (their topic labels), and damped by the time
// between the two stories. Copies of a story (the same story
// from another source) are recognised by Compare, which weighs headline,
// lede, names, numbers and time (copies.go): only the strongest text
// matches are compared, since a copy of a story is always among its
// closest neighbours.
package related

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"newsdesk/internal/terms"
)

// Tuning. The values were chosen on the demo corpus and the synthetic
// benchmark corpus; see docs/ARCHITECTURE.md.
const (
	vectorTerms    = 30                  // terms kept per story
	tagWeight      = 3                   // a tag counts as this many mentions
	dupCandidates  = 30                  // text matches checked for copies
	recencyScale   = 14 * 24 * time.Hour // time gap that halves a score
	sectionBoost   = 1.15
	untaggedFactor = 0.5 // a candidate sharing no tag counts this much
	minScore       = 0.06
	minShared      = 2 // terms two stories must share to be related
	// A term in more than 1 story in commonCut (and at least commonMin
	// stories) says little about a topic and is skipped when scoring: it
	// would only add long posting lists to walk.
	commonCut = 100
	commonMin = 50
	// Candidates kept for ranking after the scoring pass: enough for k
	// related stories after collapsing copies into one.
	keepCandidates = 64
)

// Features are what the index needs of a story, extracted once on write.
type Features struct {
	// Terms are the distinct content terms of the story, tags as "#slug",
	// in no particular order: Add ranks them, ties by term.
	Terms []TermFreq
	Print Fingerprint
}

// TermFreq is a term and how often it occurs.
type TermFreq struct {
	Term string
	TF   int
}

// Extract computes the features of a story from its title, dek (summary),
// plain body text, tag slugs and publish time. Title words count double:
// headlines name the topic.
func Extract(title, dek, text string, tags []string, published time.Time) Features {
	// About one distinct term in every 16 bytes of a story's text.
	tf := make(map[string]int, (len(title)+len(dek)+len(text))/16)
	for t := range terms.All(title) {
		tf[t] += 2
	}
	for t := range terms.All(dek) {
		tf[t]++
	}
	for t := range terms.All(text) {
		tf[t]++
	}
	for _, t := range tags {
		tf["#"+t] = tagWeight
	}
	out := Features{Terms: make([]TermFreq, 0, len(tf))}
	for t, n := range tf {
		out.Terms = append(out.Terms, TermFreq{t, n})
	}
	out.Print = MakeFingerprint(title, dek, text, published)
	return out
}

// Story is the index's view of one story.
type Story struct {
	ID        int64
	Section   string
	Published time.Time
	Cluster   int64
}

type posting struct {
	doc int32
	tf  uint16
}

type entry struct {
	Story
	terms []posting // term ids in posting.doc, tf beside
	print Fingerprint
}

// near is what scoring reads of each story it compares with the query
// story, by entry like entries but apart from them: a query compares
// thousands, and an entry (over 200 bytes) is a cache miss each; a near
// is 40.
type near struct {
	norm      float64
	published time.Time
	section   int32 // in Index.sections; -1 none
}

// Index holds the vectors of every story in memory. It is safe for
// concurrent use.
type Index struct {
	mu      sync.Mutex
	dict    map[string]int32
	names   []string
	post    [][]posting // term id → stories (entry index) carrying it
	entries []entry
	near    []near
	byID    map[int64]int32
	// sections numbers the section slugs of near.
	sections map[string]int32
	live     int

	dead  []bool            // by entry: removed or replaced
	lists map[int64][]Match // last related list given out per story
	// scratch is the working memory of Related and of Prepare's first
	// worker; workers are Prepare's other workers', kept between calls.
	scratch scratch
	workers []scratch
	// prepared holds what Prepare scored, by story, until Related takes
	// it or the index changes.
	prepared map[int64]*scoring

	// Tags in forms that fold alike ("#flood", "#floods", "#flooded")
	// are one topic label: tagGroup gives a term's group in groups, or
	// -1 for a word.
	tagGroup []int32
	groups   [][]int32
	groupOf  map[string]int32
}

// scratch is the working memory of scoring one story against the index,
// kept between queries: at 100k stories a query touches tens of
// thousands, and new slices each time cost more in allocation and
// garbage collection than scoring them.
type scratch struct {
	scores  []float64 // one slot per entry
	shared  []uint8   // terms shared with the query story, by entry
	tags    []uint8   // tags shared with the query story, by entry
	touched []int32
	cands   []candidate
}

// grow makes room for n entries.
func (s *scratch) grow(n int) {
	if len(s.scores) < n {
		s.scores = append(s.scores, make([]float64, n-len(s.scores))...)
		s.shared = append(s.shared, make([]uint8, n-len(s.shared))...)
		s.tags = append(s.tags, make([]uint8, n-len(s.tags))...)
	}
}

// scoring is what Related finds of a story before it looks at clusters,
// which the placing of stories scored before it may change: the closest
// texts compared as copies, and the best topic neighbours.
type scoring struct {
	compared []comparedAt
	topical  []candidate
}

// comparedAt is a possible copy, by entry.
type comparedAt struct {
	at int32
	ev Evidence
}

// candidate is a story Related scores: its entry, score and the tags it
// shares with the query story.
type candidate struct {
	at    int32
	score float64
	tags  uint8
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{dict: map[string]int32{}, byID: map[int64]int32{}, lists: map[int64][]Match{}, groupOf: map[string]int32{},
		sections: map[string]int32{}}
}

// foldTag is the form of a tag slug that its inflections share:
// each word folded as terms fold words ("interest-rates" and
// "interest-rate" meet).
func foldTag(slug string) string {
	words := strings.Split(slug, "-")
	for i, w := range words {
		if t := terms.Normalize(w); t != "" {
			words[i] = t
		}
	}
	return strings.Join(words, "-")
}

func (x *Index) termID(t string) int32 {
	id, ok := x.dict[t]
	if !ok {
		id = int32(len(x.names))
		x.dict[t] = id
		x.names = append(x.names, t)
		x.post = append(x.post, nil)
		g := int32(-1)
		if tag, ok := strings.CutPrefix(t, "#"); ok {
			key := foldTag(tag)
			if g, ok = x.groupOf[key]; !ok {
				g = int32(len(x.groups))
				x.groupOf[key] = g
				x.groups = append(x.groups, nil)
			}
			x.groups[g] = append(x.groups[g], id)
		}
		x.tagGroup = append(x.tagGroup, g)
	}
	return id
}

func (x *Index) idf(term int32) float64 {
	return math.Log(1 + float64(x.live+1)/float64(len(x.post[term])+1))
}

func (x *Index) common(term int32) bool {
	df := len(x.post[term])
	return df > commonMin && df*commonCut > x.live && !strings.HasPrefix(x.names[term], "#")
}

// Add puts s into the index, replacing an earlier version of it, and
// returns the vector it kept, encoded for storage by Encode's rules.
//
// A story added with no cluster keeps the one it had in the index; a
// story new to the index stays out of every cluster until placed.
func (x *Index) Add(s Story, f Features) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if at, ok := x.byID[s.ID]; ok && s.Cluster == 0 {
		s.Cluster = x.entries[at].Cluster
	}
	x.remove(s.ID)
	// Keep the terms that best tell this story apart: tf·idf, tags always.
	type scored struct {
		id    int32
		tf    int
		score float64
	}
	cand := make([]scored, 0, len(f.Terms))
	for _, t := range f.Terms {
		id := x.termID(t.Term)
		sc := (1 + math.Log(float64(t.TF))) * x.idf(id)
		if strings.HasPrefix(t.Term, "#") {
			sc = math.Inf(1)
		}
		cand = append(cand, scored{id, t.TF, sc})
	}
	cand = topN(cand, vectorTerms, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return strings.Compare(x.names[a.id], x.names[b.id])
	})
	vec := make([]posting, len(cand))
	for i, c := range cand {
		vec[i] = posting{c.id, uint16(min(c.tf, math.MaxUint16))}
	}
	x.insert(s, vec, f.Print)
	return x.encode(vec)
}

// Load puts a story whose vector was computed earlier (by Add, then
// stored) into the index.
func (x *Index) Load(s Story, vector string, fp Fingerprint) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(s.ID)
	var vec []posting
	for f := range strings.FieldsSeq(vector) {
		term, n, ok := strings.Cut(f, ":")
		tf, err := strconv.Atoi(n)
		if !ok || err != nil || tf <= 0 {
			continue
		}
		vec = append(vec, posting{x.termID(term), uint16(min(tf, math.MaxUint16))})
	}
	x.insert(s, vec, fp)
}

func (x *Index) encode(vec []posting) string {
	var b strings.Builder
	for i, p := range vec {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x.names[p.doc])
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(int(p.tf)))
	}
	return b.String()
}

func (x *Index) insert(s Story, vec []posting, fp Fingerprint) {
	clear(x.prepared) // scored without it
	at := int32(len(x.entries))
	for _, p := range vec {
		x.post[p.doc] = append(x.post[p.doc], posting{at, p.tf})
	}
	if s.Cluster == 0 {
		s.Cluster = -s.ID // placed in no cluster yet: a cluster of its own
	}
	x.entries = append(x.entries, entry{Story: s, terms: vec, print: fp})
	x.byID[s.ID] = at
	x.live++ // before the norm, whose weights count the story
	x.near = append(x.near, near{norm: x.norm(vec), published: s.Published, section: x.sectionID(s.Section)})
	x.dead = append(x.dead, false)
}

// sectionID numbers section slug, -1 for none.
func (x *Index) sectionID(slug string) int32 {
	if slug == "" {
		return -1
	}
	id, ok := x.sections[slug]
	if !ok {
		id = int32(len(x.sections))
		x.sections[slug] = id
	}
	return id
}

func (x *Index) norm(vec []posting) float64 {
	n := 0.0
	for _, p := range vec {
		w := logTF(p.tf) * x.idf(p.doc)
		n += w * w
	}
	return math.Sqrt(n)
}

// Remove takes the story out of the index.
func (x *Index) Remove(id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(id)
}

func (x *Index) remove(id int64) {
	at, ok := x.byID[id]
	if !ok {
		return
	}
	clear(x.prepared) // scored with it in view
	delete(x.lists, id)
	// Postings are left in place and skipped: a story is rarely removed,
	// and compacting would cost more than the dead entries do.
	x.dead[at] = true
	delete(x.byID, id)
	x.live--
}

// Match is a story found similar to another.
type Match struct {
	ID      int64
	Cluster int64
	Score   float64
}

// Result is what the index knows of a story's neighbourhood.
type Result struct {
	// Cluster is the cluster place put the story in.
	Cluster int64
	// Compared are the closest texts compared as possible copies, with
	// the evidence; the copies have Evidence.Same.
	Compared []Candidate
	// Related are up to k stories on the same topic, one per cluster,
	// best first; never the story or its copies.
	Related []Match
}

// Related ranks the stories most like story id. Its closest texts are
// compared as possible copies and handed to place, which returns the
// cluster the story belongs to (a nil place keeps the cluster it has);
// the related list then leaves that cluster out.
func (x *Index) Related(id int64, k int, place func(compared []Candidate) int64) Result {
	x.mu.Lock()
	defer x.mu.Unlock()
	at, ok := x.byID[id]
	if !ok {
		return Result{Cluster: id}
	}
	sc, ok := x.prepared[id]
	if ok {
		delete(x.prepared, id)
	} else {
		x.scratch.grow(len(x.entries))
		sc = x.score(at, &x.scratch)
	}
	q := &x.entries[at]

	// Copies first: the closest texts, compared on their fingerprints.
	res := Result{Cluster: q.Cluster}
	for _, c := range sc.compared {
		e := &x.entries[c.at]
		res.Compared = append(res.Compared, Candidate{ID: e.ID, Cluster: e.Cluster, Evidence: c.ev})
	}
	if place != nil {
		res.Cluster = place(res.Compared)
	}
	q.Cluster = res.Cluster

	// Then topic neighbours, one per cluster.
	skip := map[int64]bool{q.ID: true, res.Cluster: true}
	for _, c := range sc.topical {
		e := &x.entries[c.at]
		if len(res.Related) == k {
			break
		}
		if skip[e.Cluster] {
			continue
		}
		skip[e.Cluster] = true
		res.Related = append(res.Related, Match{ID: e.ID, Cluster: e.Cluster, Score: c.score})
	}
	x.lists[q.ID] = slices.Clone(res.Related)
	return res
}

// Prepare scores stories ids on every core, for the calls of Related for
// them that follow before the index changes. Scoring reads the index
// only, and does not look at clusters, which placing each story may
// change; Related does the rest, one story at a time.
func (x *Index) Prepare(ids []int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	var ats []int32
	for _, id := range ids {
		if at, ok := x.byID[id]; ok && x.prepared[id] == nil {
			ats = append(ats, at)
		}
	}
	workers := prepareWorkers(len(ats))
	if workers < 2 {
		return // one at a time in Related is as quick
	}
	out := make([]*scoring, len(ats))
	if len(x.workers) < workers-1 {
		x.workers = make([]scratch, workers-1)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			sc := &x.scratch
			if w > 0 {
				sc = &x.workers[w-1]
			}
			sc.grow(len(x.entries))
			for i := w; i < len(ats); i += workers {
				out[i] = x.score(ats[i], sc)
			}
		})
	}
	wg.Wait()
	if x.prepared == nil {
		x.prepared = map[int64]*scoring{}
	}
	for i, at := range ats {
		x.prepared[x.entries[at].ID] = out[i]
	}
}

// prepareMin is the fewest stories a worker of Prepare is started for.
const prepareMin = 4

// prepareWorkers is how many goroutines Prepare scores n stories on.
func prepareWorkers(n int) int { return min(runtime.GOMAXPROCS(0), n/prepareMin) }

// PreparesInParallel reports whether Prepare would score n stories on
// more than one core; with fewer it leaves them to Related.
func PreparesInParallel(n int) bool { return prepareWorkers(n) >= 2 }

// score finds the closest texts of the story at entry at and its best
// topic neighbours, using sc as working memory. It only reads the index,
// so that several can run at once under x.mu.
func (x *Index) score(at int32, sc *scratch) *scoring {
	q, qn := &x.entries[at], x.near[at]
	qTags := false
	for _, p := range q.terms {
		if x.common(p.doc) {
			continue
		}
		idf := x.idf(p.doc)
		wq := logTF(p.tf) * idf * idf
		// A tag is walked in each of its forms: a story carrying any
		// of them shares the topic label, and the term when the form
		// is the same.
		forms := []int32{p.doc}
		if g := x.tagGroup[p.doc]; g >= 0 {
			forms, qTags = x.groups[g], true
		}
		for _, t := range forms {
			same, tag := t == p.doc, x.tagGroup[t] >= 0
			for _, d := range x.post[t] {
				if x.dead[d.doc] || d.doc == at {
					continue
				}
				if sc.shared[d.doc] == 0 {
					sc.touched = append(sc.touched, d.doc)
				}
				if same {
					sc.scores[d.doc] += wq * logTF(d.tf)
				}
				sc.shared[d.doc] = min(sc.shared[d.doc]+1, math.MaxUint8)
				if tag {
					sc.tags[d.doc] = min(sc.tags[d.doc]+1, math.MaxUint8)
				}
			}
		}
	}
	cands := sc.cands[:0]
	for _, d := range sc.touched {
		// Too little in common is not a topic, however recent. Most
		// stories touched share one term: their entry, a cache miss
		// away, is not read.
		if sc.shared[d] >= minShared {
			if s := sc.scores[d] / (qn.norm*x.near[d].norm + 1e-9); s >= minScore {
				cands = append(cands, candidate{d, s, sc.tags[d]})
			}
		}
		sc.scores[d], sc.shared[d], sc.tags[d] = 0, 0, 0
	}
	sc.touched = sc.touched[:0]
	sc.cands = cands[:0] // kept grown for the next query
	// Ties go by story id, read from the entries only for a tie: cmp.Or
	// would read both entries, each a cache miss, on every comparison.
	byScore := func(a, b candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(x.entries[a.at].ID, x.entries[b.at].ID)
	}

	// The closest texts published near this one are compared as copies;
	// those published apart never are, and their evidence is not kept.
	out := &scoring{}
	for _, c := range topN(cands, dupCandidates, byScore) {
		p := &x.entries[c.at].print
		if tooFarApart(&q.print, p) {
			continue
		}
		if ev := Compare(&q.print, p); ev.Same || ev.Veto != "" {
			out.compared = append(out.compared, comparedAt{c.at, ev})
		}
	}

	// Topic neighbours prefer the same section and nearby times.
	topical := cands[:0]
	for _, c := range cands {
		// A story that shares none of this one's tags (its topic labels,
		// given or suggested from its text) shares words only, which is
		// weaker evidence of one topic: it needs that much more text in
		// common, and too little is no topic at all.
		if qTags && c.tags == 0 {
			if c.score *= untaggedFactor; c.score < minScore {
				continue
			}
		}
		e := x.near[c.at]
		if e.section >= 0 && e.section == qn.section {
			c.score *= sectionBoost
		}
		gap := qn.published.Sub(e.published).Abs()
		c.score /= 1 + float64(gap)/float64(recencyScale)
		topical = append(topical, c)
	}
	out.topical = slices.Clone(topN(topical, keepCandidates, byScore))
	return out
}

// logTF is the damped weight of a term seen tf times: 1 + ln tf.
func logTF(tf uint16) float64 {
	if int(tf) < len(logTable) {
		return logTable[tf]
	}
	return 1 + math.Log(float64(tf))
}

var logTable = func() (t [256]float64) {
	for i := 1; i < len(t); i++ {
		t[i] = 1 + math.Log(float64(i))
	}
	return t
}()

// topN returns the n best of list by cmp, best first. It sorts only what
// it keeps, so that a few thousand weak candidates cost little.
func topN[T any](list []T, n int, cmp func(a, b T) int) []T {
	if len(list) <= n {
		slices.SortFunc(list, cmp)
		return list
	}
	// Keep a sorted window of the n best seen so far.
	best := make([]T, 0, n+1)
	for _, v := range list {
		if len(best) == n && cmp(v, best[n-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(best, v, cmp)
		best = slices.Insert(best, i, v)
		if len(best) > n {
			best = best[:n]
		}
	}
	return best
}

// Offer proposes story id (its cluster and score) for the related list of
// story into, which holds at most k, one story per cluster, best first
// (ties by id, as Related ranks them). It returns the new list and the
// one it replaces, and true if the story made it in.
func (x *Index) Offer(into, id int64, score float64, k int) (list, was []Match, ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	at, ok := x.byID[into]
	if !ok {
		return nil, nil, false
	}
	src, ok := x.byID[id]
	if !ok {
		return nil, nil, false
	}
	cluster := x.entries[src].Cluster
	if cluster == x.entries[at].Cluster {
		return nil, nil, false
	}
	was = x.lists[into]
	list = was
	offered := Match{ID: id, Cluster: cluster, Score: score}
	for i, m := range list {
		if m.ID == id || m.Cluster == cluster {
			if m.Score >= score {
				return nil, nil, false
			}
			list = slices.Delete(slices.Clone(list), i, i+1)
			break
		}
	}
	if len(list) >= k && byRank(list[len(list)-1], offered) <= 0 {
		return nil, nil, false
	}
	i, _ := slices.BinarySearchFunc(list, offered, byRank)
	list = slices.Insert(slices.Clone(list), i, offered)
	if len(list) > k {
		list = list[:k]
	}
	x.lists[into] = list
	return list, was, true
}

// byRank orders a related list: best score first, then by id.
func byRank(a, b Match) int {
	return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID))
}

// SetCluster records that story id is now in cluster (an editor's split
// or merge, or a new lead's cluster).
func (x *Index) SetCluster(id, cluster int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if at, ok := x.byID[id]; ok {
		x.entries[at].Cluster = cluster
	}
}

// SetList records the stored related list of story id, as Related gave it
// out before, so that Offer can extend it.
func (x *Index) SetList(id int64, list []Match) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.lists[id] = list
}
