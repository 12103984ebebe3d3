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

// wordTexts are texts whose words WordSpans must find as wordSpansByRune
// does: words longer than eight bytes and at either end, runs of letters
// and digits across every ASCII range's edges, runes from 0x80 up inside
// and after words, apostrophes, and broken UTF-8.
var wordTexts = []string{"", "a", "one two", "Extraordinarily long-winded", "0123456789abcdefghijklmnopqrstuvwxyz",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ/:@[`{", "word9 Zz 09az AZ", "don't rock'n'roll Prague’s o'", "12345678'",
	"naïveté Straße café déjà-vu", "ünïcödé123abcdefgh", "abcdefg\xffhijklmno", "abcdefgh\u00a0ijklmnop",
	"internationalisation's", "x\u2019y abcdefghi\u2019", "Ⅻ 四五六七八九 abcdefgh١٢٣", "tab\tnew\nline\x00nul\x7fdel"}

// wordSpansByRune is the definition of a word read one rune at a time.
func wordSpansByRune(s string) [][2]int {
	var out [][2]int
	start := -1
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		inWord := IsWordRune(r)
		if !inWord && start >= 0 && isApostrophe(r) {
			next, _ := utf8.DecodeRuneInString(s[i+n:])
			inWord = unicode.IsLetter(next)
		}
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
		i += n
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

func checkWordSpans(t *testing.T, s string) {
	t.Helper()
	if got, want := WordSpans(s), wordSpansByRune(s); !slices.Equal(got, want) {
		t.Errorf("WordSpans(%q) = %v, want %v", s, got, want)
	}
}

func TestWordSpans(t *testing.T) {
	for _, s := range wordTexts {
		checkWordSpans(t, s)
	}
	// Every byte value at every place of an eight-byte block.
	for c := range 256 {
		for at := range 9 {
			b := []byte("abcdefghijklmnop")
			b[at] = byte(c)
			checkWordSpans(t, string(b))
		}
	}
}

func FuzzWordSpans(f *testing.F) {
	for _, s := range wordTexts {
		f.Add(s)
	}
	f.Fuzz(checkWordSpans)
}

func TestNewTagsDropControls(t *testing.T) {
	got := NewTags([]string{"#Unit\x1fand\x1erecord\x00", "tab\tbed", "\x07", "plain"})
	want := []Tag{{Name: "Unit and record", Slug: "unit-and-record"}, {Name: "tab bed", Slug: "tab-bed"}, {Name: "plain", Slug: "plain"}}
	if !slices.Equal(got, want) {
		t.Errorf("NewTags = %+v, want %+v", got, want)
	}
}
