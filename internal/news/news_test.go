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
		// A word keeps its apostrophe; the index splits there, so the
		// word becomes the phrase of its tokens.
		{`don't`, `"don t"*`},
		{`"they don’t know" -isn't`, `"they don t know" NOT "isn t"`},
		{`'quoted' Prague's`, `"quoted" "prague s"*`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ParseQuery(tt.in).FTS(); got != tt.fts {
			t.Errorf("ParseQuery(%q).FTS() = %q, want %q", tt.in, got, tt.fts)
		}
	}
}

// Words is the one definition of a word: snippets, search terms and the
// related and summary terms all split text with it.
func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Don't stop: Prague's 2-year flood", []string{"don't", "stop", "prague's", "2", "year", "flood"}},
		{"'quoted' rock'n'roll It’s", []string{"quoted", "rock'n'roll", "it's"}},
		{"the 90's, o'clock; trailing' '", []string{"the", "90's", "o'clock", "trailing"}},
		{"**Bold** [link](https://x.example/path)", []string{"bold", "link", "https", "x", "example", "path"}},
		{"Zürich 北京", []string{"zürich", "北京"}},
		{"", nil},
	}
	for _, tt := range tests {
		got := Words(tt.in)
		if len(got) == 0 {
			got = nil
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Hello, World!", "Zürich", "北京", strings.Repeat("ab ", 60), "--a--", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Slugify(s)
		if got != "" && !ValidSlug(got) {
			t.Fatalf("Slugify(%q) = %q, not a valid slug", s, got)
		}
		if Slugify(got) != got {
			t.Fatalf("Slugify is not idempotent on %q: %q → %q", s, got, Slugify(got))
		}
	})
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`flood "old town" -x`, `NEAR(a b)`, `"`, `-`, `a*b`, "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseQuery(s)
		fts := q.FTS()
		// Every quote opens and closes a term; nothing else is syntax.
		if strings.Count(fts, `"`)%2 != 0 {
			t.Fatalf("ParseQuery(%q).FTS() = %q has an unbalanced quote", s, fts)
		}
		for _, term := range append(q.Terms, q.Excluded...) {
			if strings.ContainsAny(term, `"*():^{}`) {
				t.Fatalf("ParseQuery(%q) term %q carries syntax", s, term)
			}
		}
	})
}

func FuzzCommentValidate(f *testing.F) {
	for _, s := range []string{"Hi there", "<script>x</script>", "\r\n\r\n", strings.Repeat("é", 5001)} {
		f.Add("Name", s)
	}
	f.Fuzz(func(t *testing.T, name, body string) {
		c := Comment{Name: name, Body: body}
		if err := c.Validate(); err == nil {
			if n := len([]rune(c.Body)); n < 2 || n > 5000 {
				t.Fatalf("accepted a %d-character comment", n)
			}
		}
	})
}

// The ASCII fast path of wordEnd agrees with the rune-by-rune definition.
func TestWordEndASCII(t *testing.T) {
	for c := range 128 {
		s := "a" + string(rune(c)) + "b"
		want := 1
		if IsWordRune(rune(c)) {
			want = 3
		}
		if c == '\'' {
			want = 3 // an apostrophe before a letter stays in the word
		}
		if got := wordEnd(s, 0); got != want {
			t.Errorf("wordEnd(%q) = %d, want %d", s, got, want)
		}
	}
}
