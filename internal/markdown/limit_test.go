package markdown

import (
	"runtime"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestLimitLeavesOrdinaryBodiesAlone(t *testing.T) {
	for _, src := range []string{
		"",
		"Plain text.\n\nTwo paragraphs with **bold**, _em_ and [a link](https://x.example).",
		"- one\n  - two\n    - three\n\n> quoted\n> > twice\n\n1. first\n2) second",
		"```go\nfunc main() {\n\tfmt.Println(\"*_[]\")\n}\n```",
		"---\n\n* * *\n\n    indented code",
	} {
		if got := Limit(src); got != src {
			t.Errorf("Limit(%q) = %q, want it unchanged", src, got)
		}
	}
}

func TestLimitFlattens(t *testing.T) {
	tests := []struct{ in, want string }{
		{strings.Repeat("> ", MaxDepth+3) + "x", strings.Repeat("> ", MaxDepth) + "x"},
		{strings.Repeat("- ", MaxDepth+1) + "x", strings.Repeat("- ", MaxDepth) + "x"},
		{strings.Repeat(">", MaxDepth+5) + " x", strings.Repeat(">", MaxDepth) + " x"},
		{strings.Repeat(" ", 300) + "- x", strings.Repeat(" ", maxIndent) + "- x"},
		{strings.Repeat("*a", maxInlineMarks+2), strings.Repeat("*a", maxInlineMarks) + `\*a\*a`},
		// An escaped backslash does not escape the delimiter after it.
		{strings.Repeat("_", maxInlineMarks) + `\\*`, strings.Repeat("_", maxInlineMarks) + `\\\*`},
	}
	for _, tt := range tests {
		if got := Limit(tt.in); got != tt.want {
			t.Errorf("Limit(%.40q…) = %.80q…, want %.80q…", tt.in, got, tt.want)
		}
	}
	// A blank line starts a new paragraph with its own delimiter budget.
	para := strings.Repeat("*", maxInlineMarks)
	if src := para + "\n\n" + para; Limit(src) != src {
		t.Errorf("Limit escaped delimiters of the next paragraph")
	}
}

// containerDepth returns the deepest nesting of lists and block quotes in s.
func containerDepth(s string) int {
	z := html.NewTokenizer(strings.NewReader(s))
	depth, most := 0, 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return most
		}
		name, _ := z.TagName()
		switch string(name) {
		case "ul", "ol", "blockquote":
		default:
			continue
		}
		if tt == html.StartTagToken {
			depth++
			most = max(most, depth)
		} else if tt == html.EndTagToken {
			depth--
		}
	}
}

// TestHostileBodiesRenderBounded renders bodies built to make the parser
// work quadratically. Each must finish (the test would otherwise hang or
// exhaust memory), nest no deeper than the limit, and allocate a bounded
// multiple of its size.
func TestHostileBodiesRenderBounded(t *testing.T) {
	indented := func() string {
		var b strings.Builder
		for i := 0; b.Len() < 500_000; i++ {
			b.WriteString(strings.Repeat(" ", 2*i) + "- x\n")
		}
		return b.String()
	}()
	tests := map[string]string{
		"100,000-level list":       strings.Repeat("- ", 100_000) + "x",
		"100,000-level quote":      strings.Repeat(">", 100_000) + " x",
		"numbered list":            strings.Repeat("1. ", 100_000) + "x",
		"indented list":            indented,
		"nested emphasis":          strings.Repeat("*_", 100_000) + "x" + strings.Repeat("_*", 100_000),
		"emphasis runs":            strings.Repeat("**a", 100_000),
		"open brackets":            strings.Repeat("[a ", 50_000) + strings.Repeat("](b) ", 50_000),
		"escaped-backslash stars":  strings.Repeat(`\\*a`, 100_000),
		"code spans":               strings.Repeat("`a", 100_000),
		"strikethrough and images": strings.Repeat("~~![", 100_000),
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			out, text := Render(src)
			runtime.ReadMemStats(&after)
			if d := containerDepth(out); d > MaxDepth {
				t.Errorf("lists and quotes nest %d deep, want at most %d", d, MaxDepth)
			}
			if text == "" && strings.Contains(src, "x") {
				t.Errorf("Render lost the text")
			}
			// Linear work: ordinary bodies allocate about 60 bytes per
			// input byte; quadratic behaviour would be thousands.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 400*uint64(len(src)) {
				t.Errorf("Render of %d bytes allocated %d bytes (%d per byte)", len(src), alloc, alloc/uint64(len(src)))
			}
		})
	}
}

// FuzzNeedsLimit checks the quick scan against the copy it saves: a body
// the copy would change is never passed over. (The scan may ask for a copy
// that changes nothing: a line indented just past the limit, say.)
func FuzzNeedsLimit(f *testing.F) {
	f.Add("Plain prose. *Some* marks.\n\nAnother paragraph.")
	f.Add(strings.Repeat("> ", 40) + "deep")
	f.Add(strings.Repeat("- ", 33) + "list")
	f.Add(strings.Repeat("a*b_", 600) + "\n" + strings.Repeat("[x] ", 600))
	f.Add(strings.Repeat("**", 1000) + "\n\n" + strings.Repeat("**", 1000))
	f.Fuzz(func(t *testing.T, src string) {
		if flatten(src) != src && !needsLimit(src) {
			t.Fatalf("needsLimit(%q) = false, but flattening changes it", src)
		}
	})
}

// TestNeedsLimitCountsAParagraphsMarks spreads a paragraph's delimiters
// over many short lines: the scan counts them across the lines, and not
// across a blank line.
func TestNeedsLimitCountsAParagraphsMarks(t *testing.T) {
	lines := func(marks int) string {
		return strings.Repeat("a line with one mark*\n", marks)
	}
	for _, c := range []struct {
		body string
		want bool
	}{
		{lines(maxInlineMarks), false},
		{lines(maxInlineMarks) + "one more*", true},
		{lines(maxInlineMarks) + "\n" + lines(maxInlineMarks), false},
		{lines(maxInlineMarks/2) + "\n" + lines(maxInlineMarks/2) + "x*", false},
		{lines(maxInlineMarks/2) + lines(maxInlineMarks/2) + "x*", true},
	} {
		if got := needsLimit(c.body); got != c.want {
			t.Errorf("needsLimit of %d lines = %v, want %v", strings.Count(c.body, "\n"), got, c.want)
		}
		if got := Limit(c.body) != c.body; got != c.want {
			t.Errorf("Limit of %d lines changed it: %v, want %v", strings.Count(c.body, "\n"), got, c.want)
		}
	}
}
