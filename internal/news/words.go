package news

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A word, for every part of newsdesk that reads text — search queries and
// the full-text terms they become, search snippets, related stories, key
// points and tag suggestions — is a run of letters and digits in which an
// apostrophe (' or ’) followed by a letter stays inside the word: "don't",
// "Prague's", "rock'n'roll", "2026". Everything else separates words.
// This file is the one definition.

// wordByte marks the bytes that are a letter or digit by themselves: the
// ASCII ones (IsWordRune). A byte from 0x80 up is part of a longer rune,
// which is decoded.
var wordByte = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	return t
}()

// IsWordRune reports whether r is a letter or a digit.
func IsWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// NextWord returns the byte offsets [start, end) of the first word of s
// at or after byte i; start is len(s) when there is none.
func NextWord(s string, i int) (start, end int) {
	for i < len(s) {
		c := s[i]
		if wordByte[c] {
			return i, wordEnd(s, i+1)
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if IsWordRune(r) {
			return i, wordEnd(s, i+n)
		}
		i += n
	}
	return len(s), len(s)
}

// wordEnd returns the byte offset just past the word that goes on at i.
func wordEnd(s string, i int) int {
	for i < len(s) {
		if i+8 <= len(s) {
			n := asciiWordBytes(s[i : i+8])
			if i += n; n == 8 {
				continue
			}
		}
		c := s[i]
		if wordByte[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf && c != '\'' {
			break
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if IsWordRune(r) {
			i += n
			continue
		}
		if next, _ := utf8.DecodeRuneInString(s[i+n:]); isApostrophe(r) && unicode.IsLetter(next) {
			i += n
			continue
		}
		break
	}
	return i
}

// asciiWordBytes returns how many of the eight bytes of b, from its
// first, are ASCII letters or digits (wordByte), testing all eight at
// once: a word's end is found with one test instead of one per byte.
// Each range test's sum sets a byte's high bit when the byte is in the
// range; the sums cannot carry into the next byte, as the bytes tested
// are below 0x80.
func asciiWordBytes(b string) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	_ = b[7] // one bounds check, not eight
	x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	nonASCII := x & high        // part of a longer rune, which the caller decodes
	y := x &^ high              // each byte's low seven bits
	l := y | 0x2020202020202020 // an ASCII letter in lower case
	letter := (l + ones*(0x80-'a')) &^ (l + ones*(0x80-'z'-1))
	digit := (y + ones*(0x80-'0')) &^ (y + ones*(0x80-'9'-1))
	word := (letter | digit) & high &^ nonASCII
	return bits.TrailingZeros64(^word&high) / 8
}

// Unmarked returns w without its diacritics, as the full-text index reads
// words (remove_diacritics): "Zürich" is "Zurich". A word of ASCII bytes
// alone is returned as it is.
func Unmarked(w string) string {
	i := 0
	for i < len(w) && w[i] < utf8.RuneSelf {
		i++
	}
	if i == len(w) {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// WordSpans returns the byte offsets [start, end) of the words of s, in
// order.
func WordSpans(s string) [][2]int {
	var out [][2]int
	for start, end := NextWord(s, 0); start < len(s); start, end = NextWord(s, end) {
		out = append(out, [2]int{start, end})
	}
	return out
}

// FieldCount is len(strings.Fields(s)) without making the slice: how
// reading time counts a text's words.
func FieldCount(s string) int {
	n, inField := 0, false
	for i := 0; i < len(s); {
		c, size := s[i], 1
		space := asciiSpace[c]
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
		}
		i += size
		if !space && !inField {
			n++
		}
		inField = !space
	}
	return n
}

// OneSpaced is strings.Join(strings.Fields(s), " "): s with its runs of
// space made one space and none at either end.
func OneSpaced(s string) string { return strings.TrimSpace(CollapseSpace(s)) }

// NoControls returns s with each control character a space.
func NoControls(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// CollapseSpace writes every run of white space in s as one space, at the
// ends too. Text that is so already, as most is, is returned as it is.
// ASCII is read a byte at a time; only other bytes are decoded.
func CollapseSpace(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; {
		if c := s[i]; c < utf8.RuneSelf {
			clean = !asciiSpace[c] || c == ' ' && (i == 0 || s[i-1] != ' ')
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		clean = !unicode.IsSpace(r)
		i += n
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c, n, isSpace := s[i], 1, false
		if c < utf8.RuneSelf {
			isSpace = asciiSpace[c]
		} else {
			var r rune
			r, n = utf8.DecodeRuneInString(s[i:])
			isSpace = unicode.IsSpace(r)
		}
		if isSpace && !space {
			b.WriteByte(' ')
		} else if !isSpace {
			b.WriteString(s[i : i+n]) // the bytes as they are, valid or not
		}
		space = isSpace
		i += n
	}
	return b.String()
}

// asciiSpace marks the ASCII bytes unicode.IsSpace reports as space.
var asciiSpace = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = unicode.IsSpace(rune(c))
	}
	return t
}()

// Words returns the words of s in order, each folded by FoldWord.
func Words(s string) []string {
	var out []string
	for start, end := NextWord(s, 0); start < len(s); start, end = NextWord(s, end) {
		out = append(out, FoldWord(s[start:end]))
	}
	return out
}

// FoldWord returns a word as words are compared: lowercase, with a
// typographic apostrophe (’) written as a plain one, as the index makes no
// difference between them. Most words are lowercase ASCII already, and
// are returned as they are.
func FoldWord(w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return strings.ReplaceAll(strings.ToLower(w), "’", "'")
		}
	}
	return w
}

// indexTokens writes a word or phrase as the full-text index splits it:
// there an apostrophe separates ("don't" is the tokens "don" "t"), so a
// word with one becomes the phrase of its tokens, which matches exactly
// where the word occurs.
func indexTokens(s string) string {
	return strings.Map(func(r rune) rune {
		if isApostrophe(r) {
			return ' '
		}
		return r
	}, s)
}
