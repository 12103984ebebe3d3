package news

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen bounds a slug so URLs stay readable.
const MaxSlugLen = 80

// Slugify turns s into lowercase ASCII words joined by "-": accents are
// dropped ("Zürich" → "zurich"), anything else that is not a letter or digit
// separates words. It may return "" when s has no ASCII letters or digits.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case unicode.Is(unicode.Mn, r), r == '\'', r == '’':
			// Combining marks left by NFKD and apostrophes join words:
			// "don't" → "dont", not "don-t".
		default:
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() > MaxSlugLen {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > MaxSlugLen {
		// Cut at a word boundary, unless the first word alone is too long.
		cut := strings.LastIndexByte(out[:MaxSlugLen+1], '-')
		if cut <= 0 {
			cut = MaxSlugLen
		}
		out = strings.Trim(out[:cut], "-")
	}
	return out
}

// ValidSlug reports whether s is a well-formed slug.
func ValidSlug(s string) bool {
	if s == "" || len(s) > MaxSlugLen || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') || (c == '-' && s[i-1] == '-') {
			return false
		}
	}
	return true
}

// AuthorPath is the path of the page listing a byline's stories, or ""
// for a name with no letters or digits a slug can keep.
func AuthorPath(name string) string {
	slug := Slugify(name)
	if slug == "" {
		return ""
	}
	return "/authors/" + slug
}
