package templates

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/a-h/templ"

	"newsdesk/internal/news"
)

// BenchmarkNewsArticle renders an article's JSON-LD script as the page
// head does.
func BenchmarkNewsArticle(b *testing.B) {
	at := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	s := &news.Story{Slug: "rates-held", Title: "Central bank holds rates", Summary: "The bank kept its rate at 4.5 % for a third month.",
		Author: "Ana Silva", Dateline: "LISBON", URL: "https://wire.example/rates", PublishedAt: at, UpdatedAt: at.Add(time.Hour),
		Source: news.Source{Name: "Global Wire"}, Section: news.Section{Name: "Business"},
		Tags: []news.Tag{{Name: "Interest rates"}, {Name: "Economy"}}}
	env := Env{BaseURL: "https://news.example", SiteName: "Newsdesk", Asset: func(p string) string { return "/static/" + p }}
	ctx := context.Background()
	for b.Loop() {
		if err := templ.JSONScript("jsonld", newsArticle(env, s)).WithType("application/ld+json").Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
