package changelog

import (
	"context"
	"slices"
	"testing"

	"newsdesk/internal/news"
)

// The log answers from what it recorded and learned; a version it lacks,
// or one before it began, changes everything.
func TestLog(t *testing.T) {
	var l Log
	l.Start(10)
	l.Record(11, []string{"story:1", "front"})
	l.Record(12, []string{"story:2"})
	if ch := l.Changes(10, 12); ch.All || !slices.Equal(ch.Keys, []string{"front", "story:1", "story:2"}) || ch.Version != 12 {
		t.Errorf("Changes(10, 12) = %+v, want front story:1 story:2", ch)
	}
	if ch := l.Changes(12, 12); ch.All || len(ch.Keys) != 0 {
		t.Errorf("Changes(12, 12) = %+v, want nothing", ch)
	}
	if ch := l.Changes(9, 12); !ch.All {
		t.Errorf("Changes from before the log began = %+v, want everything", ch)
	}
	if ch := l.Changes(12, 13); !ch.All {
		t.Errorf("Changes over an unknown version = %+v, want everything", ch)
	}

	// Rows read from the table: a missing version changed everything.
	read := func(_ context.Context, after, upTo int64) ([]Row, error) {
		if after != 12 || upTo != 15 {
			t.Errorf("read(%d, %d), want (12, 15)", after, upTo)
		}
		return []Row{{Version: 13, Keys: "tag:flood story:3"}, {Version: 15, Keys: "story:4"}}, nil
	}
	if err := l.Learn(context.Background(), 12, 15, read); err != nil {
		t.Fatal(err)
	}
	if ch := l.Changes(12, 13); ch.All || !slices.Equal(ch.Keys, []string{"story:3", "tag:flood"}) {
		t.Errorf("Changes(12, 13) after Learn = %+v", ch)
	}
	if ch := l.Changes(12, 15); !ch.All {
		t.Errorf("Changes over a version without a row = %+v, want everything", ch)
	}
	if ch := l.Changes(14, 15); ch.All || !slices.Equal(ch.Keys, []string{"story:4"}) {
		t.Errorf("Changes(14, 15) = %+v", ch)
	}

	// Too far behind: nothing is read, and the log starts again.
	err := l.Learn(context.Background(), 15, 15+Kept+1, func(context.Context, int64, int64) ([]Row, error) {
		t.Error("Learn read rows for a gap larger than Kept")
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ch := l.Changes(15, 15+Kept+1); !ch.All {
		t.Errorf("Changes over a gap larger than Kept = %+v, want everything", ch)
	}
	l.Record(17+Kept, []string{news.KeyAll})
	if ch := l.Changes(16+Kept, 17+Kept); !ch.All {
		t.Errorf("a version that named %s: Changes = %+v, want everything", news.KeyAll, ch)
	}
}

// Recording trims the log to the last Kept versions.
func TestLogKeepsTheLastVersions(t *testing.T) {
	var l Log
	for v := int64(1); v <= 3*Kept; v++ {
		l.Record(v, []string{"story:1"})
	}
	if n := len(l.byVersion); n > Kept {
		t.Errorf("log holds %d versions, want at most %d", n, Kept)
	}
	if ch := l.Changes(3*Kept-10, 3*Kept); ch.All {
		t.Errorf("recent versions: Changes = %+v, want keys", ch)
	}
	if ch := l.Changes(Kept, 3*Kept); !ch.All {
		t.Errorf("trimmed versions: Changes = %+v, want everything", ch)
	}
}

// List says everything for a write that named nothing, more than KeysMax
// keys, or All.
func TestKeysList(t *testing.T) {
	k := New(nil)
	if got := k.List(); !slices.Equal(got, []string{news.KeyAll}) {
		t.Errorf("no keys: List = %v, want *", got)
	}
	k.Add("story:2", "front", "story:2")
	if got := k.List(); !slices.Equal(got, []string{"front", "story:2"}) {
		t.Errorf("List = %v", got)
	}
	k.All()
	k.Add("story:3")
	if got := k.List(); !slices.Equal(got, []string{news.KeyAll}) {
		t.Errorf("after All: List = %v, want *", got)
	}
}
