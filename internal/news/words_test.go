package news

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
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
		checkCollapsed(t, s)
	})
}

func TestCollapseSpace(t *testing.T) {
	for _, s := range spacedTexts {
		checkCollapsed(t, s)
	}
	if got := CollapseSpace(" one \t\n two  "); got != " one two " {
		t.Errorf("CollapseSpace = %q, want %q", got, " one two ")
	}
}

// checkCollapsed checks CollapseSpace(s): the same words as s, one plain
// space between them, and one at an end where s has space there.
func checkCollapsed(t *testing.T, s string) {
	t.Helper()
	got := CollapseSpace(s)
	if !slices.Equal(strings.Fields(got), strings.Fields(s)) {
		t.Errorf("CollapseSpace(%q) = %q: other words", s, got)
	}
	if strings.Contains(got, "  ") || strings.IndexFunc(got, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) >= 0 {
		t.Errorf("CollapseSpace(%q) = %q: space not collapsed", s, got)
	}
	starts := func(x string) bool { r, _ := utf8.DecodeRuneInString(x); return x != "" && unicode.IsSpace(r) }
	ends := func(x string) bool { r, _ := utf8.DecodeLastRuneInString(x); return x != "" && unicode.IsSpace(r) }
	if starts(got) != starts(s) || ends(got) != ends(s) {
		t.Errorf("CollapseSpace(%q) = %q: ends changed", s, got)
	}
}
