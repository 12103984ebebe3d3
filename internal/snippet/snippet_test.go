package snippet

import (
	"strings"
	"testing"
	"time"

	"newsdesk/internal/corpus"
	"newsdesk/internal/markdown"
	"newsdesk/internal/news"
)

func render(spans []news.Span) string {
	var b strings.Builder
	for _, s := range spans {
		if s.Match {
			b.WriteString("[" + s.Text + "]")
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestMark(t *testing.T) {
	tests := []struct{ text, q, want string }{
		{"Floods hit the valley", "flood", "[Floods] hit the valley"},
		{"The <b>river</b> rose", "river", "The <b>[river]</b> rose"},
		{"Semiconductor plant", "semi", "[Semiconductor] plant"},
		{"Semiconductor plant", "semi ", "Semiconductor plant"},
		{"Old town, old Town", `"old town"`, "[Old] [town], [old] [Town]"},
		// The snippet, the query and the index agree on what a word is.
		{"They don't know, we don’t care", "don't", "They [don't] know, we [don’t] care"},
		{"Prague's mayor and Prague", "prague", "[Prague's] mayor and [Prague]"},
		{"Prague's mayor", "prague's ", "[Prague's] mayor"},
		// A word may start with a capital or a letter with a diacritic.
		{"Éric met éric and Eric in Zürich", "eric zurich", "[Éric] met [éric] and [Eric] in [Zürich]"},
		{"Über Uber, über uber", "UBER", "[Über] [Uber], [über] [uber]"},
	}
	for _, tt := range tests {
		if got := render(Mark(tt.text, news.ParseQuery(tt.q))); got != tt.want {
			t.Errorf("Mark(%q, %q) = %q, want %q", tt.text, tt.q, got, tt.want)
		}
	}
}

func TestCut(t *testing.T) {
	text := strings.Repeat("filler ", 50) + "the flood reached the bridge " + strings.Repeat("tail ", 50)
	got := render(Cut(text, news.ParseQuery("flood bridge"), 12))
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "[flood] reached the [bridge]") {
		t.Errorf("Cut = %q", got)
	}
	if got := render(Cut("short text", news.ParseQuery("zzz"), 12)); got != "short text" {
		t.Errorf("Cut without match = %q", got)
	}
}

// BenchmarkCut cuts a passage from an 8 KB text whose matches are past its
// middle, as a search page does for each of its 20 hits.
func BenchmarkCut(b *testing.B) {
	text := strings.Repeat("The council met on Tuesday to discuss the budget for next year. ", 70) +
		"The flood reached the bridge before dawn, and the river kept rising. " +
		strings.Repeat("Residents were told to stay away from the water. ", 50)
	q := news.ParseQuery("flood bridge")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Cut(text, q, 32)
	}
}

// BenchmarkCutStories cuts passages from the synthetic corpus's bodies
// (cmd/gencorpus, what make bench searches) for a word in about 45 % of
// them, as a search page does for each hit.
func BenchmarkCutStories(b *testing.B) {
	stories := corpus.Generate(40, 1, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	q := news.ParseQuery("government")
	texts := make([]string, len(stories))
	var n int64
	for i, s := range stories {
		texts[i] = markdown.Text(s.Body)
		n += int64(len(texts[i]))
	}
	b.SetBytes(n / int64(len(texts)))
	i := 0
	for b.Loop() {
		Cut(texts[i%len(texts)], q, 32)
		i++
	}
}
