package postgres

import "strings"

// PostgreSQL text cannot hold NUL (U+0000): a statement with one in an
// argument fails (SQLSTATE 22021), where SQLite stores it. So that text
// with a stray NUL byte (a feed, a form field, an address like /tags/%00)
// is stored and a lookup with one finds nothing instead of failing, every
// argument goes through textArgs, which puts U+FFFD, the replacement
// character, in each NUL's place: what a decoder shows for a byte it
// cannot represent, and never part of a slug, so no lookup matches by it.

// nulReplacement stands in for NUL in stored and compared text.
const nulReplacement = "\uFFFD"

// textArg returns s with each NUL replaced by U+FFFD.
func textArg(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", nulReplacement)
}

// textArgs returns args with every string in them (strings, *string,
// []string) passed through textArg; args itself when none holds a NUL.
func textArgs(args []any) []any {
	var out []any
	for i, a := range args {
		var b any
		switch a := a.(type) {
		case string:
			if s := textArg(a); s != a {
				b = s
			}
		case *string:
			if a != nil {
				if s := textArg(*a); s != *a {
					b = &s
				}
			}
		case []string:
			for j, s := range a {
				if t := textArg(s); t != s {
					c := append([]string(nil), a...)
					for k := j; k < len(c); k++ {
						c[k] = textArg(c[k])
					}
					b = c
					break
				}
			}
		}
		if b == nil {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = b
	}
	if out == nil {
		return args
	}
	return out
}
