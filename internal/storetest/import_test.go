package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

// An import batch is stored whole or not at all. Deciding its related
// lists and clusters, which a store may do while it writes the stories,
// can fail: then none of them is stored, not even in the search index.
// When it succeeds, the vectors it set are stored, and the stories carry
// what the store gave them.
func TestSaveImportIsOneTransaction(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		first, _, err := db.ReserveIDs(ctx, 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		batch := func() []store.Imported {
			var items []store.Imported
			for i, title := range []string{"Dockers strike for a second week", "Dockers strike talks resume"} {
				s := &news.Story{ID: first + int64(i), Title: title, Summary: "Dockers walked out.", Body: "Dockers walked out.",
					Source: news.Source{Name: "Wire"}, Section: news.Section{Name: "Business"},
					Tags:   []news.Tag{{Name: "Labour", Slug: "labour"}},
					Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour), URL: fmt.Sprintf("https://wire.example/%d", i)}
				items = append(items, store.Imported{Outcome: news.Added,
					Story: store.Story{Story: s, Derived: store.Derived{Text: "Dockers walked out.", Hash: "h", Print: []byte{1, 2, 3, 4}}}})
			}
			return items
		}
		found := func() int {
			t.Helper()
			res, err := db.Search(ctx, news.SearchFilter{Query: news.ParseQuery("dockers")})
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}

		items := batch()
		err = db.SaveImport(ctx, items, func() (store.Changes, error) { return store.Changes{}, errors.New("index gone") })
		if err == nil {
			t.Fatal("the import succeeded though deciding failed")
		}
		if n, err := db.StoryCount(ctx); err != nil || n != 0 {
			t.Errorf("after the failed import: %d stories (%v), want none", n, err)
		}
		if n := found(); n != 0 {
			t.Errorf("after the failed import, search finds %d stories, want none", n)
		}

		items = batch()
		err = db.SaveImport(ctx, items, func() (store.Changes, error) {
			for i := range items {
				items[i].Vector = fmt.Sprintf("dockers:%d", i+1)
			}
			return store.Changes{}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			s := it.Story.Story
			if s.Slug == "" || s.Source.ID == 0 || s.Section.ID == 0 || s.Tags[0].ID == 0 {
				t.Errorf("story %d stored as slug %q, source %d, section %d, tag %d: want them set",
					s.ID, s.Slug, s.Source.ID, s.Section.ID, s.Tags[0].ID)
			}
		}
		if n := found(); n != 2 {
			t.Errorf("search finds %d stories, want 2", n)
		}
		vectors := map[int64]string{}
		if err := db.IndexStories(ctx, func(x store.Indexed) error {
			vectors[x.ID] = x.Vector
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for i, it := range items {
			if want := fmt.Sprintf("dockers:%d", i+1); vectors[it.Story.Story.ID] != want {
				t.Errorf("vector of story %d: %q, want %q", it.Story.Story.ID, vectors[it.Story.Story.ID], want)
			}
		}
	})
}
