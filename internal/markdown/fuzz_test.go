package markdown

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
)

func FuzzHTML(f *testing.F) {
	for _, s := range []string{"**b** [l](https://x.example)", "<script>alert(1)</script>", "[x](javascript:alert(1))",
		`<img src=x onerror=alert(1)>`, "![i](data:image/svg+xml;base64,PHN2Zz4=)", `<a href="jav&#x09;ascript:x">x</a>`,
		"<svg><foreignObject><script>1</script>", "`code` <b onclick=x>b</b>", "<style>x</style>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := HTML(src)
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			tok := z.Token()
			if tok.Type != html.StartTagToken && tok.Type != html.SelfClosingTagToken {
				continue
			}
			switch tok.Data {
			case "script", "iframe", "object", "embed", "svg", "style", "base", "form", "meta":
				t.Fatalf("HTML(%q) has <%s>: %s", src, tok.Data, out)
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:") {
					t.Fatalf("HTML(%q) has %s=%q: %s", src, a.Key, a.Val, out)
				}
			}
		}
	})
}

var spaceBeforeBreak = regexp.MustCompile(`\s+<br>`)

// FuzzParseAsMD checks parse against md's own parser: the same HTML and
// text, whether or not the source can hold an autolink, up to white space
// (the spaces before a hard line break: see parse).
func FuzzParseAsMD(f *testing.F) {
	for _, s := range []string{"Rates rose. \"Quoted\" -- said *she*.\n\nNext  \nline", "see www.example.com now",
		"mail ed@example.com", "go to https://x.example/a_(b) ok", "~~gone~~ _x_ (paren) *a*", "| a | b |\n|---|---|\n| 1 | 2 |",
		"- [x] done\n- [ ] todo", "ftp://files.example.org/x", "x  \ny", "<b>raw</b> & co", "a_b_c __d__ ~e~"} {
		f.Add(s)
	}
	render := func(doc ast.Node, source []byte) (string, string) {
		var buf bytes.Buffer
		if err := md.Renderer().Render(&buf, source, doc); err != nil {
			panic(err)
		}
		return buf.String(), plainText(doc, source)
	}
	f.Fuzz(func(t *testing.T, src string) {
		source := []byte(Limit(src))
		wantHTML, wantText := render(md.Parser().Parse(text.NewReader(source)), source)
		gotHTML, gotText := render(parse(source), source)
		norm := func(s string) string {
			s = spaceBeforeBreak.ReplaceAllString(s, "<br>")
			return strings.Join(strings.Fields(s), " ")
		}
		if norm(gotHTML) != norm(wantHTML) || norm(gotText) != norm(wantText) {
			t.Fatalf("parse(%q) differs from md's parser:\nHTML %q\nwant %q\ntext %q\nwant %q", src, gotHTML, wantHTML, gotText, wantText)
		}
	})
}
