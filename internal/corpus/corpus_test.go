package corpus

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
	"newsdesk/internal/related"
)

var end = time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)

func TestWriteNDJSONIsDeterministic(t *testing.T) {
	for name, write := range map[string]func(io.Writer, int, int64, time.Time) error{
		"topics": WriteNDJSON, "flat": WriteFlatNDJSON,
	} {
		var a, b, c bytes.Buffer
		for _, x := range []struct {
			buf  *bytes.Buffer
			seed int64
		}{{&a, 1}, {&b, 1}, {&c, 2}} {
			if err := write(x.buf, 100, x.seed, end); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two runs with seed 1 differ", name)
		}
		if bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Errorf("%s: seeds 1 and 2 give the same corpus", name)
		}
	}
}

// imported writes n stories with write, reads them back as the NDJSON
// importer does, and checks that none is rejected, that they are the
// stories generate returns, and that no URL repeats.
func imported(t *testing.T, n int, seed int64,
	write func(io.Writer, int, int64, time.Time) error, generate func(int, int64, time.Time) []*news.Story) []*news.Story {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, n, seed, end); err != nil {
		t.Fatal(err)
	}
	items, err := ingest.NDJSON(&buf, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != n {
		t.Fatalf("NDJSON read %d items, want %d", len(items), n)
	}
	gen := generate(n, seed, end)
	urls := map[string]bool{}
	out := make([]*news.Story, n)
	for i, it := range items {
		if it.Err != nil {
			t.Fatalf("line %d rejected: %v", it.Pos, it.Err)
		}
		s, g := it.Story, gen[i]
		if s.Title != g.Title || s.Body != g.Body || s.URL != g.URL || !s.PublishedAt.Equal(g.PublishedAt) ||
			len(s.Tags) != len(g.Tags) || s.Source != g.Source || s.Section != g.Section {
			t.Fatalf("story %d: the generator and its NDJSON disagree", i)
		}
		if urls[s.URL] {
			t.Errorf("story %d repeats URL %s", i, s.URL)
		}
		urls[s.URL] = true
		out[i] = s
	}
	return out
}

func TestStoriesImportAndLookReal(t *testing.T) {
	prev := end.Add(-Span)
	for i, s := range imported(t, 200, 7, WriteNDJSON, Generate) {
		if words := len(strings.Fields(s.Body)); words < 300 || words > 720 {
			t.Errorf("story %d has %d words, want 300–700", i, words)
		}
		if len(s.Tags) < 2 || len(s.Tags) > 5 {
			t.Errorf("story %d has %d tags, want 2–5", i, len(s.Tags))
		}
		if s.Summary == "" || s.Author == "" || s.Dateline == "" || s.Section.Name == "" || s.Source.Name == "" {
			t.Errorf("story %d lacks a summary, author, dateline, section or source: %+v", i, s)
		}
		if !s.PublishedAt.After(prev) || s.PublishedAt.After(end) {
			t.Errorf("story %d published %v, want after %v and by %v", i, s.PublishedAt, prev, end)
		}
		prev = s.PublishedAt
	}
}

func TestCopiesAreNearDuplicates(t *testing.T) {
	const n = 1200
	g := newGenerator(n, 1, end)
	// The text alone: in a corpus this small a copy follows its original
	// by days (in 100k stories, by hours).
	sig := func(r Record) related.Fingerprint { return related.MakeFingerprint(r.Title, r.Summary, r.Body, end) }
	copies := 0
	for i := range n {
		rec, j := g.story(i)
		if j < 0 {
			continue
		}
		copies++
		orig, _ := g.story(j)
		if rec.Source == orig.Source || rec.Body == orig.Body {
			t.Errorf("story %d copies %d from the same source or word for word", i, j)
		}
		a, b := sig(rec), sig(orig)
		if ev := related.Compare(&a, &b); !ev.Same {
			t.Errorf("story %d: not taken for a copy of its original %d: %+v", i, j, ev)
		}
		other, _ := g.story((i + n/2) % n)
		o := sig(other)
		if ev := related.Compare(&a, &o); ev.Same {
			t.Errorf("story %d: taken for a copy of an unrelated story: %+v", i, ev)
		}
	}
	if rate := float64(copies) / n; rate < 0.015 || rate > 0.045 {
		t.Errorf("%d copies in %d stories, want about 3%%", copies, n)
	}
}

func TestFlatCorpus(t *testing.T) {
	const n = 2000
	common, copies := 0, 0
	for i, s := range imported(t, n, 1, WriteFlatNDJSON, GenerateFlat) {
		if s.PublishedAt.After(end) || s.PublishedAt.Before(end.Add(-flatSpan)) {
			t.Errorf("story %d published %v, outside the two years before %v", i, s.PublishedAt, end)
		}
		if strings.Contains(s.Title+" "+s.Summary+" "+s.Body, " "+FlatCommonWord) {
			common++
		}
		if strings.HasPrefix(s.URL, "https://copy") {
			copies++
		}
	}
	if share := float64(common) / n; share < 0.55 || share > 0.85 {
		t.Errorf("%q is in %.0f%% of stories, want about 70%%", FlatCommonWord, share*100)
	}
	if share := float64(copies) / n; share < 0.03 || share > 0.07 {
		t.Errorf("%.1f%% of stories are copies, want about 5%%", share*100)
	}
}
