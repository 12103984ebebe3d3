package markdown

import (
	"strings"
	"testing"

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
