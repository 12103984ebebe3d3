package related

import (
	"hash/fnv"
	"strings"
	"testing"
	"time"
)

var day = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

const breach = `PulseTrack, a popular running and cycling app, said on Saturday that hackers had gained access to a database containing the workout routes, email addresses and hashed passwords of about 2.3 million users, in one of the largest breaches to hit the fitness tracking industry.

The company said the intrusion was discovered on Wednesday, when engineers noticed unusual queries against a backup server used by its analytics team in Lisbon. Chief executive Dana Whitfield apologised to users.`

func TestCompareCopies(t *testing.T) {
	orig := MakeFingerprint("PulseTrack Fitness App Breach Exposes Location Data of 2.3 Million Users", "", breach, day)
	for _, tt := range []struct {
		name, title, text string
		after             time.Duration
		same              bool
	}{
		{"excerpt", "PulseTrack Fitness App Breach Exposes Location Data of 2.3 Million Users",
			"PulseTrack, a popular running and cycling app, said on Saturday that hackers had gained access to a database containing the workout routes, email addresses and hashed passwords of about 2.3 million users.", 2 * time.Hour, true},
		{"reworded headline", "Fitness App PulseTrack Says 2.3 Million Users Hit by Data Breach", breach, 5 * time.Hour, true},
		{"a month later", "PulseTrack Fitness App Breach Exposes Location Data of 2.3 Million Users", breach, 30 * 24 * time.Hour, false},
		{"another breach", "Hackers Steal Health Records of 1.1 Million FitNova Smartwatch Users",
			"FitNova, a maker of budget smartwatches, said on Monday that hackers had copied the heart-rate histories, birth dates and email addresses of about 1.1 million users from a cloud storage bucket left open to the internet.", 3 * time.Hour, false},
		{"same words, other numbers", "PulseTrack Fitness App Breach Exposes Location Data of 4.1 Million Users",
			"PulseTrack, a popular running and cycling app, said on Saturday that hackers had gained access to a second database containing the workout routes of about 4.1 million users, weeks after an earlier breach.", 5 * time.Hour, false},
	} {
		c := MakeFingerprint(tt.title, "", tt.text, day.Add(tt.after))
		ev := Compare(&orig, &c)
		if ev.Same != tt.same {
			t.Errorf("%s: same = %v, want %v (%+v)", tt.name, ev.Same, tt.same, ev)
		}
		if back := Compare(&c, &orig); back.Same != ev.Same {
			t.Errorf("%s: Compare is not symmetric", tt.name)
		}
	}
}

func TestChooseBestOrNone(t *testing.T) {
	same := func(score float64) Evidence { return Evidence{Same: true, Score: score} }
	got, ok := Choose([]Candidate{{ID: 1, Cluster: 10, Evidence: same(0.6)}, {ID: 2, Cluster: 20, Evidence: same(0.9)}}, nil)
	if !ok || got.Cluster != 20 {
		t.Errorf("Choose = %+v %v, want cluster 20", got, ok)
	}
	if _, ok := Choose([]Candidate{{ID: 1, Cluster: 10, Evidence: same(0.8)}, {ID: 2, Cluster: 20, Evidence: same(0.81)}}, nil); ok {
		t.Error("two clusters matching about equally: joined one")
	}
	if _, ok := Choose([]Candidate{{ID: 1, Cluster: 10, Evidence: same(0.8)}, {ID: 2, Cluster: 10, Evidence: Evidence{Veto: "different names"}}}, nil); ok {
		t.Error("joined a cluster one of whose members it contradicts")
	}
	if _, ok := Choose([]Candidate{{ID: 1, Cluster: 10, Evidence: same(0.8)}}, func(c int64) bool { return c == 10 }); ok {
		t.Error("joined a blocked cluster")
	}
}

func TestLeadOrder(t *testing.T) {
	m := []Member{
		{ID: 1, Published: day, Full: false, Original: true, Visible: true},                   // excerpt
		{ID: 2, Published: day.Add(time.Hour), Full: true, Original: false, Visible: true},    // syndicator
		{ID: 3, Published: day.Add(2 * time.Hour), Full: true, Original: true, Visible: true}, // wire
		{ID: 4, Published: day.Add(-time.Hour), Full: true, Original: true, Visible: false},   // trashed
		{ID: 5, Published: day.Add(3 * time.Hour), Full: true, Original: true, Visible: true}, // later wire
	}
	if got := LeadOrder(m, 0); got[0] != 3 || got[1] != 5 || got[2] != 2 || got[3] != 1 || got[4] != 4 {
		t.Errorf("LeadOrder = %v, want [3 5 2 1 4]", got)
	}
	if got := LeadOrder(m, 1); got[0] != 1 {
		t.Errorf("LeadOrder with a chosen lead = %v, want 1 first", got)
	}
	if got := LeadOrder(m, 4); got[0] != 3 {
		t.Errorf("a chosen lead in the trash still leads: %v", got)
	}
}

func TestFingerprintBytes(t *testing.T) {
	f := MakeFingerprint("Quake of 6.2 hits Peru", "At least three people died.", breach, day)
	g, ok := FingerprintFrom(f.Bytes())
	if !ok || g.Words != f.Words || g.Published != f.Published || len(g.Lede) != len(f.Lede) || len(g.TitleNumbers) != 1 {
		t.Fatalf("round trip: %+v %v", g, ok)
	}
	if _, ok := FingerprintFrom(make([]byte, 256)); ok {
		t.Error("an old MinHash signature decoded as a fingerprint")
	}
}

func FuzzCopies(f *testing.F) {
	f.Add("Title 6.2", "Dek", "Body text with Names and 1,000 numbers.", []byte{2, 0, 0})
	f.Add("", "", "", []byte{})
	f.Add("\xff\xfe", "..", "A. B. C. 1.2.3,4", []byte{2, 1, 2, 200, 200, 200})
	f.Fuzz(func(t *testing.T, title, dek, text string, raw []byte) {
		a := MakeFingerprint(title, dek, text, day)
		b, _ := FingerprintFrom(raw)
		Compare(&a, &b)
		Compare(&a, &a)
		if c, ok := FingerprintFrom(a.Bytes()); !ok || len(c.Lede) != len(a.Lede) {
			t.Fatalf("round trip failed")
		}
	})
}

func TestHashIsFNV1a(t *testing.T) {
	for _, s := range []string{"", "flood", "river bank", "é 9,000"} {
		h := fnv.New32a()
		h.Write([]byte(s))
		if got, want := hash(s), h.Sum32(); got != want {
			t.Errorf("hash(%q) = %d, want %d: stored fingerprints would no longer match", s, got, want)
		}
	}
}

// TestFullTextByItsWords tells an excerpt from a full text by the words
// of its body, at the boundary and far past it.
func TestFullTextByItsWords(t *testing.T) {
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("word\n ", n)) }
	for _, c := range []struct {
		words int
		full  bool
	}{{0, false}, {fullText - 1, false}, {fullText, true}, {leadWords + 1, true}, {5000, true}} {
		f := MakeFingerprint("A headline", "", words(c.words), time.Unix(0, 0))
		if f.Full() != c.full {
			t.Errorf("a body of %d words: Full = %v, want %v", c.words, f.Full(), c.full)
		}
	}
}
