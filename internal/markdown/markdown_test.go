package markdown

import (
	"strings"
	"testing"
)

func TestHTMLIsSanitized(t *testing.T) {
	tests := []struct {
		in      string
		bad     []string
		present string
	}{
		{"hello <script>alert(1)</script>", []string{"<script", "alert(1)</script>"}, "hello"},
		{"[x](javascript:alert(1))", []string{"javascript:"}, "x"},
		{`<img src=x onerror="alert(1)">`, []string{"onerror"}, ""},
		{`<a href="https://ok.example/" onclick="x()">ok</a>`, []string{"onclick"}, `href="https://ok.example/"`},
		{"![a](data:text/html;base64,PHNjcmlwdD4=)", []string{"data:"}, ""},
		{"**bold** and _em_", nil, "<strong>bold</strong>"},
		{"<svg onload=alert(1)>", []string{"<svg", "onload"}, ""},
	}
	for _, tt := range tests {
		got := HTML(tt.in)
		for _, b := range tt.bad {
			if strings.Contains(strings.ToLower(got), b) {
				t.Errorf("HTML(%q) = %q, contains %q", tt.in, got, b)
			}
		}
		if !strings.Contains(got, tt.present) {
			t.Errorf("HTML(%q) = %q, want it to contain %q", tt.in, got, tt.present)
		}
	}
}

func TestText(t *testing.T) {
	in := "# Head\n\n\"Quoted\" it's -- fine\n\nFirst **bold** [link](https://x.example) para\nwrapped.\n\n<div>raw</div>\n\n- one\n- two"
	want := "Head\n\n“Quoted” it’s – fine\n\nFirst bold link para wrapped.\n\none\n\ntwo"
	if got := Text(in); got != want {
		t.Errorf("Text(%q) = %q, want %q", in, got, want)
	}
}
