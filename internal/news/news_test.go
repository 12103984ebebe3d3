package news

import (
	"strings"
	"testing"
	"time"
)

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello-world"},
		{"  Zürich's Café — über alles ", "zurichs-cafe-uber-alles"},
		{"Don't panic: 42 reasons", "dont-panic-42-reasons"},
		{"Ünïcödé", "unicode"},
		{"北京", ""},
		{"---", ""},
		{strings.Repeat("word ", 40), strings.TrimRight(strings.Repeat("word-", 16), "-")},
		{"Castlebridge Rovers Beat Westhaven on Penalties to Reach First National Cup Final Tonight", "castlebridge-rovers-beat-westhaven-on-penalties-to-reach-first-national-cup"},
		{strings.Repeat("x", 100), strings.Repeat("x", 80)},
	}
	for _, tt := range tests {
		got := Slugify(tt.in)
		if got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got != "" && !ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q is not a valid slug", tt.in, got)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := func() Story {
		return Story{Title: "T", Body: "B", Status: StatusPublished, PublishedAt: time.Now()}
	}
	tests := []struct {
		name  string
		edit  func(*Story)
		field string
	}{
		{"valid", func(*Story) {}, ""},
		{"empty title", func(s *Story) { s.Title = "   " }, "title"},
		{"long title", func(s *Story) { s.Title = strings.Repeat("é", 301) }, "title"},
		{"empty body", func(s *Story) { s.Body = "" }, "body"},
		{"bad url", func(s *Story) { s.URL = "javascript:alert(1)" }, "url"},
		{"image without alt", func(s *Story) { s.ImageURL = "https://i.example/a.jpg" }, "image_alt"},
		{"bad status", func(s *Story) { s.Status = "live" }, "status"},
		{"bad slug", func(s *Story) { s.Slug = "Bad Slug" }, "slug"},
		{"no time", func(s *Story) { s.PublishedAt = time.Time{} }, "published_at"},
	}
	for _, tt := range tests {
		s := ok()
		tt.edit(&s)
		err := s.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
			}
			continue
		}
		if ErrorCode(err) != EINVALID || FieldErrors(err)[tt.field] == "" {
			t.Errorf("%s: Validate() = %v (fields %v), want an error on %s", tt.name, err, FieldErrors(err), tt.field)
		}
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in, fts string
	}{
		{"flood prague", `"flood" "prague"*`},
		{"flood prague ", `"flood" "prague"`},
		{`"old town" flood`, `"old town" "flood"*`},
		{`flood "old town"`, `"flood" "old town"`},
		{`flood -prague`, `"flood" NOT "prague"`},
		{`-prague`, ``},
		{`NEAR(a b) OR c*`, `"near" "a" "b" "or" "c"`},
		{`title:flood`, `"title" "flood"*`},
		{`"unclosed phrase`, `"unclosed phrase"`},
		{`()*:^"`, ``},
		{`Zürich`, `"zürich"*`},
		{`x-ray`, `"x" "ray"*`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ParseQuery(tt.in).FTS(); got != tt.fts {
			t.Errorf("ParseQuery(%q).FTS() = %q, want %q", tt.in, got, tt.fts)
		}
	}
}
