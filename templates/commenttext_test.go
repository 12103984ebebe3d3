package templates

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func FuzzCommentBody(f *testing.F) {
	for _, s := range []string{"Hello\n\nhttps://x.example/a.", `<script>alert(1)</script>`, `javascript:alert(1)`,
		`http://x.example/"onmouseover="alert(1)`, "https://", `<a href="javascript:x">x</a>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var buf bytes.Buffer
		if err := CommentBody(body).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		z := html.NewTokenizer(&buf)
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			tok := z.Token()
			if tok.Type != html.StartTagToken {
				continue
			}
			if tok.Data != "p" && tok.Data != "a" {
				t.Fatalf("comment %q rendered <%s>", body, tok.Data)
			}
			for _, a := range tok.Attr {
				if a.Key != "href" && a.Key != "rel" {
					t.Fatalf("comment %q rendered attribute %s", body, a.Key)
				}
				if a.Key == "href" && !strings.HasPrefix(a.Val, "http://") && !strings.HasPrefix(a.Val, "https://") {
					t.Fatalf("comment %q linked %q", body, a.Val)
				}
			}
		}
	})
}

func TestCommentParagraphs(t *testing.T) {
	got := commentParagraphs("See https://x.example/a.\n\nSecond (http://y.example/b)")
	if len(got) != 2 || got[0][1].Text != "https://x.example/a" || !got[0][1].URL || got[0][2].Text != "." ||
		got[1][1].Text != "http://y.example/b" {
		t.Errorf("commentParagraphs = %+v", got)
	}
}
