package storetest

import (
	"context"
	"testing"

	"newsdesk/internal/demo"
	"newsdesk/internal/news"
)

// BenchmarkReads times the reads behind an uncached page on each store,
// over the demo corpus: an article (the story, its related list, its
// versions), the front page, and a search.
//
//	go test -run '^$' -bench Reads -benchtime 300x ./internal/storetest/
func BenchmarkReads(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			db := newTestDBOf(b, kind == "postgres")
			ctx := context.Background()
			if _, err := demo.Load(ctx, deskOf(db), nil, now); err != nil {
				b.Fatal(err)
			}
			list, _, err := db.Stories(ctx, news.StoryFilter{Page: news.Page{Number: 1, Size: 20}})
			if err != nil || len(list) == 0 {
				b.Fatal(err)
			}
			b.Run("article", func(b *testing.B) {
				for i := range b.N {
					s, err := db.StoryBySlug(ctx, list[i%len(list)].Slug)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := db.Related(ctx, s.ID, 6); err != nil {
						b.Fatal(err)
					}
					if _, _, err := db.Versions(ctx, s); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("front", func(b *testing.B) {
				for range b.N {
					if _, _, err := db.Stories(ctx, news.StoryFilter{Page: news.Page{Number: 1, Size: 20}}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("search", func(b *testing.B) {
				qs := []string{"flood", "central bank", `"rent rises"`, "strike -football", "semicond"}
				for i := range b.N {
					f := news.SearchFilter{Query: news.ParseQuery(qs[i%len(qs)]), Page: news.Page{Number: 1, Size: 10}}
					if _, err := db.Search(ctx, f); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
