package news

import (
	"strings"
	"testing"
)

// spacedTexts are texts whose spaces FieldCount and OneSpaced must read
// as strings.Fields does.
var spacedTexts = []string{"", " ", "  ", "one", "one ", " one", "one two", "one  two",
	" one  two\tthree\n", "a\u00a0b\u2003c", "é ü\u0085x", "\xff \xfe", "a\x85b", "end\n"}

func TestFieldCount(t *testing.T) {
	for _, s := range spacedTexts {
		if got, want := FieldCount(s), len(strings.Fields(s)); got != want {
			t.Errorf("FieldCount(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestOneSpaced(t *testing.T) {
	for _, s := range spacedTexts {
		if got, want := OneSpaced(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("OneSpaced(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzSpaces(f *testing.F) {
	for _, s := range spacedTexts {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := FieldCount(s), len(strings.Fields(s)); got != want {
			t.Errorf("FieldCount(%q) = %d, want %d", s, got, want)
		}
		if got, want := OneSpaced(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("OneSpaced(%q) = %q, want %q", s, got, want)
		}
	})
}
