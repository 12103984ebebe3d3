package markdown

import "strings"

// Limits on what one body may ask of the parser. goldmark's cost grows
// faster than linearly with the depth of nested blocks and with the number
// of emphasis, link and code delimiters in one paragraph (a 20,000-level
// nested list took 10 s, 1,000 indented levels 17 s). Bodies are flattened
// to these limits before parsing, so the work per body is linear in its
// length. Real stories are far inside them.
const (
	// MaxDepth is the deepest nesting of block quotes and lists kept;
	// markers beyond it are dropped, their content joins the level above.
	MaxDepth = 32
	// maxIndent bounds a line's container prefix (indentation and
	// markers), in columns: a nested list takes at least two columns a
	// level, so deeper indentation is deeper nesting by other means.
	maxIndent = 2*MaxDepth - 2
	// maxInlineMarks bounds the delimiters (* _ ~ ` [ ] < !) one paragraph
	// may use as markup; any beyond are escaped and read as text.
	maxInlineMarks = 2000
)

// Limit returns src flattened to the nesting and delimiter limits above.
// Most bodies come back unchanged, without a copy.
func Limit(src string) string {
	if !needsLimit(src) {
		return src
	}
	return flatten(src)
}

// flatten is Limit without the quick scan: it copies src, changing only
// what is beyond the limits.
func flatten(src string) string {
	var b strings.Builder
	b.Grow(len(src) + len(src)/8)
	marks := 0
	for len(src) > 0 {
		line, rest, found := strings.Cut(src, "\n")
		src = rest
		if strings.TrimSpace(line) == "" {
			marks = 0 // a blank line ends the paragraph
			b.WriteString(line)
		} else {
			content := limitPrefix(&b, line)
			marks = limitInline(&b, content, marks)
		}
		if found {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// needsLimit is a quick scan for anything the limits could change.
func needsLimit(src string) bool {
	// The paragraph under way starts at para; marks counts its delimiters
	// before counted. A paragraph has no more delimiters than bytes, so
	// they are counted only in one longer than maxInlineMarks.
	para, counted, marks := 0, 0, 0
	for at := 0; at < len(src); {
		end := len(src)
		if i := strings.IndexByte(src[at:], '\n'); i >= 0 {
			end = at + i
		}
		line := src[at:end]
		at = end + 1
		if strings.TrimSpace(line) == "" {
			para, counted, marks = at, at, 0
			continue
		}
		depth, cols := 0, 0
		for i := 0; i < len(line); {
			if ws := indentWidth(line[i:]); ws > 0 {
				cols += columns(line[i : i+ws])
				i += ws
				continue
			}
			m := markerLen(line[i:])
			if m == 0 {
				break
			}
			depth++
			cols += m
			i += m
		}
		if depth > MaxDepth || cols > maxIndent {
			return true
		}
		if end-para > maxInlineMarks {
			for i := counted; i < end; i++ {
				if isMark(src[i]) {
					marks++
				}
			}
			if counted = end; marks > maxInlineMarks {
				return true
			}
		}
	}
	return false
}

// limitPrefix writes line's container prefix (indentation, ">" and list
// markers) to b, dropping markers past MaxDepth and whitespace past
// maxIndent columns, and returns the rest of the line.
func limitPrefix(b *strings.Builder, line string) string {
	depth, cols, i := 0, 0, 0
	afterMarker, lastWS, dropped := false, false, false
	for i < len(line) {
		if ws := indentWidth(line[i:]); ws > 0 {
			seg := line[i : i+ws]
			i += ws
			if dropped {
				continue // belongs to a dropped marker
			}
			keep := 0
			for keep < len(seg) && cols < maxIndent {
				cols += columns(seg[keep : keep+1])
				keep++
			}
			if keep == 0 && afterMarker {
				keep = 1 // a marker needs its space
			}
			b.WriteString(seg[:keep])
			lastWS = keep > 0
			afterMarker = false
			continue
		}
		m := markerLen(line[i:])
		if m == 0 {
			break
		}
		depth++
		if !dropped && depth <= MaxDepth && cols <= maxIndent {
			b.WriteString(line[i : i+m])
			cols += m
			afterMarker, lastWS = true, false
		} else {
			dropped = true
		}
		i += m
	}
	if dropped && !lastWS && i < len(line) {
		b.WriteByte(' ') // the dropped markers' space before the content
	}
	return line[i:]
}

// limitInline writes s to b, escaping the markup delimiters that come after
// the paragraph's first maxInlineMarks; marks is the count so far.
func limitInline(b *strings.Builder, s string, marks int) int {
	escaped := false // the previous byte is a backslash that escapes this one
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isMark(c) {
			marks++
			if marks > maxInlineMarks && !escaped {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
		escaped = c == '\\' && !escaped
	}
	return marks
}

func isMark(c byte) bool {
	switch c {
	case '*', '_', '~', '`', '[', ']', '<', '!':
		return true
	}
	return false
}

// indentWidth returns the length of the spaces and tabs s starts with.
func indentWidth(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// columns is the width of whitespace, a tab counting as four.
func columns(ws string) int {
	n := 0
	for i := 0; i < len(ws); i++ {
		if ws[i] == '\t' {
			n += 4
		} else {
			n++
		}
	}
	return n
}

// markerLen returns the length of the block-quote or list marker s starts
// with: ">", or "-", "+", "*", "1." or "1)" followed by a space, a tab or
// the end of the line. 0 means none.
func markerLen(s string) int {
	if s == "" {
		return 0
	}
	if s[0] == '>' {
		return 1
	}
	n := 0
	switch {
	case s[0] == '-' || s[0] == '+' || s[0] == '*':
		n = 1
	case s[0] >= '0' && s[0] <= '9':
		for n < len(s) && n < 9 && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == len(s) || (s[n] != '.' && s[n] != ')') {
			return 0
		}
		n++
	default:
		return 0
	}
	if n == len(s) || s[n] == ' ' || s[n] == '\t' {
		return n
	}
	return 0
}
