package storetest

import (
	"context"
	"strings"
	"testing"

	"newsdesk/internal/news"
)

func TestNamesSearchPagesAndCounts(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importDemo(t, db)
		page := func(kind, q string, n, size int) ([]news.Name, int) {
			t.Helper()
			list, total, err := db.Names(ctx, news.NameFilter{Kind: kind, Query: q, Page: news.Page{Number: n, Size: size}})
			if err != nil {
				t.Fatal(err)
			}
			return list, total
		}
		// Tags: most used first, in pages that add up to the total.
		first, total := page("tags", "", 1, 10)
		if len(first) != 10 || total <= 10 || first[0].Stories < first[9].Stories {
			t.Fatalf("first page of tags: %d of %d, %+v", len(first), total, first)
		}
		seen := 0
		for n := 1; ; n++ {
			list, _ := page("tags", "", n, 10)
			if len(list) == 0 {
				break
			}
			seen += len(list)
		}
		if seen != total {
			t.Errorf("pages hold %d tags, total says %d", seen, total)
		}
		// Search by part of the name, case aside; LIKE's wildcards are literal.
		list, total := page("tags", "VERIDIAN", 1, 10)
		if total != 1 || len(list) != 1 || list[0].Slug != "veridian-strike" || list[0].Stories != 5 {
			t.Errorf("tags matching VERIDIAN: %+v (total %d), want #veridian-strike on 5 stories", list, total)
		}
		if _, total := page("tags", "%", 1, 10); total != 0 {
			t.Errorf("a search for %% matched %d tags, want none", total)
		}
		// Sections and sources count their stories.
		list, _ = page("sections", "sport", 1, 10)
		if len(list) != 1 || list[0].Stories == 0 {
			t.Errorf("section Sport: %+v", list)
		}
		list, _ = page("sources", "global", 1, 10)
		if len(list) != 1 || list[0].Name != "Global Wire" || list[0].Stories == 0 {
			t.Errorf("source Global Wire: %+v", list)
		}
		if _, _, err := db.Names(ctx, news.NameFilter{Kind: "users", Page: news.Page{Number: 1, Size: 10}}); news.ErrorCode(err) != news.ENOTFOUND {
			t.Errorf("Names of users: %v, want not found", err)
		}
	})
}

func TestDeleteNameOnlyWhenUnused(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importDemo(t, db)
		if err := db.AddSection(ctx, "Obituaries"); err != nil {
			t.Fatal(err)
		}
		sections, _, _ := db.Names(ctx, news.NameFilter{Kind: "sections", Query: "obituaries", Page: news.Page{Number: 1, Size: 10}})
		sport, _, _ := db.Names(ctx, news.NameFilter{Kind: "sections", Query: "sport", Page: news.Page{Number: 1, Size: 10}})
		if len(sections) != 1 || len(sport) != 1 {
			t.Fatalf("sections %+v, %+v", sections, sport)
		}
		err := db.DeleteName(ctx, "sections", sport[0].ID)
		if news.ErrorCode(err) != news.ECONFLICT || !strings.Contains(news.ErrorMessage(err), "still used by") {
			t.Errorf("deleting Sport: %v, want a refusal saying it is in use", err)
		}
		if err := db.DeleteName(ctx, "sections", sections[0].ID); err != nil {
			t.Fatalf("deleting unused Obituaries: %v", err)
		}
		if err := db.DeleteName(ctx, "sections", sections[0].ID); news.ErrorCode(err) != news.ENOTFOUND {
			t.Errorf("deleting it again: %v, want not found", err)
		}
		// A tag on a trashed story is still in use.
		opera, _, err := db.Stories(ctx, news.StoryFilter{TagSlug: "opera", Page: news.Page{Number: 1, Size: 10}})
		if err != nil || len(opera) != 1 {
			t.Fatalf("stories tagged #opera: %d, %v", len(opera), err)
		}
		if err := deskOf(db).TrashStory(ctx, opera[0].ID); err != nil {
			t.Fatal(err)
		}
		tags, _, _ := db.Names(ctx, news.NameFilter{Kind: "tags", Query: "opera", Page: news.Page{Number: 1, Size: 10}})
		if len(tags) != 1 {
			t.Fatalf("tags matching opera: %+v", tags)
		}
		if err := db.DeleteName(ctx, "tags", tags[0].ID); news.ErrorCode(err) != news.ECONFLICT {
			t.Errorf("deleting a tag of a trashed story: %v, want a refusal", err)
		}
		if n, err := deskOf(db).EmptyTrash(ctx); err != nil || n != 1 {
			t.Fatalf("EmptyTrash = %d, %v", n, err)
		}
		if err := db.DeleteName(ctx, "tags", tags[0].ID); err != nil {
			t.Errorf("deleting the tag once its story is gone: %v", err)
		}
		if err := db.DeleteName(ctx, "sources", 1); news.ErrorCode(err) != news.ENOTFOUND {
			t.Errorf("deleting a source: %v, want refused as not found", err)
		}
	})
}
