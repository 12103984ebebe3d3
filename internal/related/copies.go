package related

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"newsdesk/internal/terms"
)

// Copy detection. Two items are the same story when their ledes (the dek
// and the first paragraph, the part every feed carries) share most of
// their term pairs and the headline or the names agree; or, for items
// whose ledes were rewritten, when headline, names and numbers all agree
// closely. Two stories on one topic share words but not ledes, and they
// differ in names (the victim of an attack) or numbers (the new rate), so
// either disagreement vetoes a match: a false merge is worse than a
// missed one.
const (
	leadWords  = 150                // words of the body's start looked at
	ledeTerms  = 60                 // terms taken from the dek and from the body's start
	maxLede    = 2 * ledeTerms      // term pairs kept
	maxNames   = 48                 // names kept
	maxNumbers = 32                 // numbers kept
	maxTitle   = 24                 // headline terms kept
	copyWindow = 4 * 24 * time.Hour // copies of a story arrive within days
	closeGap   = 48 * time.Hour     // the headline-only rule's window
	fullText   = 120                // body words that make a full text, not an excerpt
	fpVersion  = 2                  // first byte of an encoded Fingerprint
	minLedeSet = 4                  // term pairs a lede needs to be compared
	closeScore = 0.02               // clusters scoring within this are a tie
	ledeStrong = 0.5                // lede pairs contained in the other lede
	ledeWeak   = 0.3                // …when headline and names agree closely
	namesAgree = 0.5                // names contained in the other's names
	titleClose = 0.75               // headline Dice for the rewritten-lede rule
)

// Fingerprint is what copy detection keeps of a story: hashed sets, each
// sorted, so that two fingerprints compare by merging.
type Fingerprint struct {
	Title        []uint32 // headline terms and numbers
	Lede         []uint32 // adjacent term pairs of the dek and the body's start
	Names        []uint32 // capitalised words inside sentences, acronyms
	Numbers      []uint32 // numbers in headline and lede, separators dropped
	TitleNumbers []uint32 // the headline's numbers
	Words        int      // words in the body, counted up to leadWords+1: a full text or an excerpt
	Published    int64    // Unix seconds
}

// Full reports whether the story carries a full text, not an excerpt.
func (f *Fingerprint) Full() bool { return f.Words >= fullText }

// MakeFingerprint computes the fingerprint of a story from its headline,
// dek (summary), plain body text and publish time. Any input is accepted:
// empty or malformed text gives empty sets, which match nothing.
func MakeFingerprint(title, dek, text string, published time.Time) Fingerprint {
	title, dek, text = strings.ToValidUTF8(title, " "), strings.ToValidUTF8(dek, " "), strings.ToValidUTF8(text, " ")
	f := Fingerprint{Published: published.Unix()}
	body, words := head(text, leadWords)
	f.Words = words
	for _, t := range terms.Terms(title) {
		f.Title = append(f.Title, hash(t))
	}
	for _, n := range numbers(title) {
		f.Title = append(f.Title, hash("#"+n))
		f.TitleNumbers = append(f.TitleNumbers, hash(n))
	}
	f.Title = capSet(f.Title, maxTitle)
	f.TitleNumbers = capSet(f.TitleNumbers, maxTitle)
	f.Lede = capSet(append(pairs(dek), pairs(body)...), maxLede)
	for _, n := range names(dek + "\n\n" + body) {
		f.Names = append(f.Names, hash(n))
	}
	f.Names = capSet(f.Names, maxNames)
	for _, n := range numbers(title + "\n" + dek + "\n" + body) {
		f.Numbers = append(f.Numbers, hash(n))
	}
	f.Numbers = capSet(f.Numbers, maxNumbers)
	return f
}

// head returns about the first n words of s, and how many words s has,
// counted up to n+1.
func head(s string, n int) (string, int) {
	words := 0
	in := false
	for i, r := range s {
		if unicode.IsSpace(r) {
			in = false
			continue
		}
		if !in {
			in = true
			words++
			if words > n {
				return s[:i], words
			}
		}
	}
	return s, words
}

// pairs hashes the adjacent term pairs among the first ledeTerms terms of s.
func pairs(s string) []uint32 {
	out := make([]uint32, 0, ledeTerms-1)
	prev, n := "", 0
	for t := range terms.All(s) {
		if n > 0 {
			out = append(out, hashMore(hashMore(hash(prev), " "), t))
		}
		if n++; n == ledeTerms {
			break
		}
		prev = t
	}
	return out
}

// capSet sorts and de-duplicates set and keeps its n smallest hashes: a
// consistent sample, so two capped sets still compare fairly.
func capSet(set []uint32, n int) []uint32 {
	slices.Sort(set)
	set = slices.Compact(set)
	if len(set) > n {
		set = set[:n]
	}
	return slices.Clip(set)
}

// hash is the 32-bit FNV-1a hash of s (hash/fnv's, without allocating).
func hash(s string) uint32 { return hashMore(2166136261, s) }

// hashMore goes on hashing after h: hashMore(hash(a), b) is hash(a+b).
func hashMore(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// names returns the lowercased names in s: capitalised words that do not
// start a sentence, and words in capitals. Stop words ("The", "In") are
// not names wherever they stand.
func names(s string) []string {
	var out []string
	start := true // at a sentence start
	for tok := range strings.FieldsSeq(s) {
		word := strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		first, _ := utf8.DecodeRuneInString(word)
		if word != "" && unicode.IsUpper(first) && !start {
			if w := strings.ToLower(word); terms.Normalize(w) != "" {
				out = append(out, w)
			}
		}
		last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(tok, `"'”’)`))
		start = last == '.' || last == '!' || last == '?' || last == ':'
	}
	return out
}

// numbers returns the numbers in s with thousands separators and units
// dropped: "9,000" → "9000", "67%" → "67", "6.2-magnitude" → "6.2".
func numbers(s string) []string {
	var out []string
	for tok := range strings.FieldsFuncSeq(s, func(r rune) bool {
		return !unicode.IsDigit(r) && r != '.' && r != ','
	}) {
		n := strings.ReplaceAll(strings.Trim(tok, ".,"), ",", "")
		if n != "" && strings.IndexFunc(n, unicode.IsDigit) >= 0 {
			out = append(out, n)
		}
	}
	return out
}

// Evidence is why two stories were, or were not, taken for one: each
// signal's strength from 0 to 1, the time between them, and the verdict.
type Evidence struct {
	Headline float64 `json:"headline"` // Dice overlap of headline terms
	Lede     float64 `json:"lede"`     // share of the smaller lede's term pairs in the other
	Names    float64 `json:"names"`    // share of the smaller set of names in the other
	Numbers  float64 `json:"numbers"`  // share of the smaller set of numbers in the other
	Hours    float64 `json:"hours"`    // time between the two
	Score    float64 `json:"score"`    // lede, headline and names weighted
	Same     bool    `json:"same"`     // one story
	Veto     string  `json:"veto,omitempty"`
	Note     string  `json:"note,omitempty"` // set instead of signals when an editor decided
}

// Compare weighs the evidence that a and b are copies of one story.
func Compare(a, b *Fingerprint) Evidence {
	var e Evidence
	e.Hours = hoursApart(a, b)
	e.Headline = dice(a.Title, b.Title)
	e.Lede, _ = contained(a.Lede, b.Lede, maxLede, minLedeSet)
	names, nameSets := contained(a.Names, b.Names, maxNames, 2)
	e.Names = names
	nums, numSets := contained(a.Numbers, b.Numbers, maxNumbers, 1)
	e.Numbers = nums
	e.Score = 0.55*e.Lede + 0.25*e.Headline + 0.2*e.Names
	switch {
	case tooFarApart(a, b):
		e.Veto = "too far apart in time"
	case len(a.Title) == 0 && len(a.Lede) == 0 || len(b.Title) == 0 && len(b.Lede) == 0:
		e.Veto = "no text"
	case nameSets && names < 0.34:
		e.Veto = "different names"
	case numSets && nums < 0.25:
		e.Veto = "different numbers"
	case titleNumbersDiffer(a, b):
		e.Veto = "different numbers in the headline"
	}
	if e.Veto != "" {
		return e
	}
	agree := !nameSets || names >= namesAgree
	switch {
	case e.Lede >= ledeStrong && (e.Headline >= 0.3 || nameSets && agree):
		e.Same = true
	case e.Lede >= ledeWeak && e.Headline >= 0.5 && agree:
		e.Same = true
	case e.Headline >= titleClose && nameSets && names >= 0.6 && e.Hours <= closeGap.Hours() && e.Lede >= 0.1:
		e.Same = true
	}
	return e
}

// hoursApart is the time between a's and b's publishing, in hours.
func hoursApart(a, b *Fingerprint) float64 {
	return math.Abs(float64(a.Published-b.Published)) / 3600
}

// tooFarApart reports whether a and b were published too far apart to
// be copies of one story, whatever their texts: Compare vetoes them.
func tooFarApart(a, b *Fingerprint) bool { return hoursApart(a, b) > copyWindow.Hours() }

// titleNumbersDiffer reports numbers in both headlines that the other
// story's text does not carry anywhere: "cuts rate to 4.25%" against
// "holds rate at 4.5%".
func titleNumbersDiffer(a, b *Fingerprint) bool {
	if len(a.TitleNumbers) == 0 || len(b.TitleNumbers) == 0 {
		return false
	}
	for _, n := range a.TitleNumbers {
		if _, ok := slices.BinarySearch(b.Numbers, n); ok {
			return false
		}
	}
	for _, n := range b.TitleNumbers {
		if _, ok := slices.BinarySearch(a.Numbers, n); ok {
			return false
		}
	}
	return true
}

// dice is the Dice coefficient of two sorted sets.
func dice(a, b []uint32) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	return 2 * float64(common(a, b)) / float64(len(a)+len(b))
}

// contained is the share of the smaller sorted set found in the larger,
// and whether both sets had at least least members to compare. A set cut
// to its size smallest hashes (capSet) stands for the whole set only up
// to its largest hash, so both are compared up to there.
func contained(a, b []uint32, size, least int) (float64, bool) {
	limit := uint32(math.MaxUint32)
	for _, s := range [][]uint32{a, b} {
		if len(s) == size {
			limit = min(limit, s[len(s)-1])
		}
	}
	a, b = upTo(a, limit), upTo(b, limit)
	n := min(len(a), len(b))
	if n == 0 {
		return 0, false
	}
	return float64(common(a, b)) / float64(n), n >= least
}

func upTo(s []uint32, limit uint32) []uint32 {
	i, _ := slices.BinarySearch(s, limit)
	if i < len(s) && s[i] == limit {
		i++
	}
	return s[:i]
}

func common(a, b []uint32) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// Bytes encodes the fingerprint for storage.
func (f *Fingerprint) Bytes() []byte {
	b := []byte{fpVersion}
	b = binary.AppendVarint(b, f.Published)
	b = binary.AppendUvarint(b, uint64(f.Words))
	for _, set := range [][]uint32{f.Title, f.Lede, f.Names, f.Numbers, f.TitleNumbers} {
		b = binary.AppendUvarint(b, uint64(len(set)))
		for _, v := range set {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	return b
}

// FingerprintFrom decodes what Bytes wrote. It reports false for anything
// else (an older format, a damaged value): the story is then
// fingerprinted again from its text.
func FingerprintFrom(b []byte) (Fingerprint, bool) {
	var f Fingerprint
	if len(b) == 0 || b[0] != fpVersion {
		return f, false
	}
	b = b[1:]
	pub, n := binary.Varint(b)
	if n <= 0 {
		return f, false
	}
	f.Published, b = pub, b[n:]
	words, n := binary.Uvarint(b)
	if n <= 0 || words > math.MaxInt32 {
		return f, false
	}
	f.Words, b = int(words), b[n:]
	for _, set := range []*[]uint32{&f.Title, &f.Lede, &f.Names, &f.Numbers, &f.TitleNumbers} {
		size, n := binary.Uvarint(b)
		if n <= 0 || size > uint64(len(b)-n)/4 {
			return Fingerprint{}, false
		}
		b = b[n:]
		s := make([]uint32, size)
		for i := range s {
			s[i] = binary.LittleEndian.Uint32(b[4*i:])
		}
		*set, b = s, b[4*size:]
	}
	return f, len(b) == 0
}

// Candidate is a stored story found to be a copy of the one being placed,
// in its cluster, with the evidence.
type Candidate struct {
	ID       int64
	Cluster  int64
	Evidence Evidence
}

// Choose picks the cluster a story joins from the copies found of it:
// the cluster of the best match, provided no other cluster matches about
// as well (then it joins none: a false merge is worse than a missed one),
// and that the story is a copy of every member compared in that cluster
// (contradicting any member vetoes it). blocked names clusters the story
// may not join (an editor split it from them). It returns the candidate
// matched, or false to stay alone.
func Choose(cands []Candidate, blocked func(cluster int64) bool) (Candidate, bool) {
	type best struct {
		c     Candidate
		clash bool
	}
	by := map[int64]*best{}
	var order []int64
	for _, c := range cands {
		if blocked != nil && blocked(c.Cluster) {
			continue
		}
		b, ok := by[c.Cluster]
		if !ok {
			b = &best{c: c}
			by[c.Cluster] = b
			order = append(order, c.Cluster)
		}
		if !c.Evidence.Same && c.Evidence.Veto != "" && c.Evidence.Veto != "too far apart in time" {
			b.clash = true
		}
		if c.Evidence.Same && (!b.c.Evidence.Same || c.Evidence.Score > b.c.Evidence.Score) {
			b.c = c
		}
	}
	var first, second *best
	for _, cl := range order {
		b := by[cl]
		if !b.c.Evidence.Same || b.clash {
			continue
		}
		switch {
		case first == nil || b.c.Evidence.Score > first.c.Evidence.Score:
			first, second = b, first
		case second == nil || b.c.Evidence.Score > second.c.Evidence.Score:
			second = b
		}
	}
	if first == nil || second != nil && first.c.Evidence.Score-second.c.Evidence.Score < closeScore {
		return Candidate{}, false
	}
	return first.c, true
}

// Member is what choosing a cluster's lead version looks at.
type Member struct {
	ID        int64
	Published time.Time
	Original  bool // from a wire or the site's own newsroom, not a syndicator
	Full      bool // a full text, not an excerpt
	Visible   bool // published or scheduled, not in the trash
}

// LeadOrder returns the members' ids best lead first: the editor's
// choice (chosen, 0 for none) while it is visible, then visible full texts
// from original sources, other full texts, excerpts; earliest first within
// each; versions readers cannot see last.
func LeadOrder(members []Member, chosen int64) []int64 {
	class := func(m Member) int {
		switch {
		case !m.Visible:
			return 4
		case m.ID == chosen:
			return 0
		case m.Full && m.Original:
			return 1
		case m.Full:
			return 2
		default:
			return 3
		}
	}
	sorted := slices.Clone(members)
	slices.SortStableFunc(sorted, func(a, b Member) int {
		if c := class(a) - class(b); c != 0 {
			return c
		}
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	out := make([]int64, len(sorted))
	for i, m := range sorted {
		out[i] = m.ID
	}
	return out
}
