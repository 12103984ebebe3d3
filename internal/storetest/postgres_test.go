package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/postgres"
)

// After a copy from SQLite the tsvectors are computed from the stored
// columns: ReindexSearch makes a story found again.
func TestPostgresReindexSearch(t *testing.T) {
	t.Parallel()
	db := newTestDBOf(t, true)
	ctx := context.Background()
	importFile(t, db, fixture)
	before := search(t, db, "council")
	if err := rawQueryRow(t, db, "UPDATE stories SET search = '', search_head = '' RETURNING 1").Scan(new(int)); err != nil {
		t.Fatal(err)
	}
	if res := search(t, db, "council"); res.Total != 0 {
		t.Fatalf("council with empty tsvectors: %d matches", res.Total)
	}
	n, err := db.(*postgres.DB).ReindexSearch(ctx)
	if err != nil || n != 6 {
		t.Fatalf("ReindexSearch = %d, %v; want the 6 stories", n, err)
	}
	if res := search(t, db, "council"); res.Total != before.Total || res.Total == 0 {
		t.Errorf("council after ReindexSearch: %d matches, want %d", res.Total, before.Total)
	}
}

// Two nodes importing at once into one database: sources, sections and
// tags new to both are added once, every story is stored, and each
// node's data version moves.
func TestPostgresTwoNodesWrite(t *testing.T) {
	t.Parallel()
	a := newTestDBOf(t, true)
	b := reopenOf(t, a)
	ctx := context.Background()
	stories := func(node string) []*news.Story {
		var list []*news.Story
		for i := range 15 {
			list = append(list, &news.Story{Title: fmt.Sprintf("Harbour report %s %d", node, i),
				Body:   fmt.Sprintf("The harbour %s report number %d, about ships and cranes.", node, i),
				Source: news.Source{Name: []string{"Alpha Wire", "Beta News"}[i%2]}, Section: news.Section{Name: "Business"},
				Tags: news.NewTags([]string{"Harbour", "Ships"}), GUID: node + fmt.Sprint(i),
				Status: news.StatusPublished, PublishedAt: now.Add(-time.Duration(i) * time.Minute)})
		}
		return list
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, db := range []Store{a, b} {
		wg.Go(func() {
			for _, s := range stories(string(rune('a' + i))) {
				if _, err := deskOf(db).UpsertStories(ctx, []*news.Story{s}); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	if n, err := a.StoryCount(ctx); err != nil || n != 30 {
		t.Errorf("StoryCount = %d, %v; want 30", n, err)
	}
	srcs, err := b.AllSources(ctx)
	if err != nil || len(srcs) != 2 {
		t.Errorf("AllSources = %v, %v; want Alpha Wire and Beta News once each", srcs, err)
	}
	tags, _, err := b.Names(ctx, news.NameFilter{Kind: "tags", Page: news.Page{Number: 1, Size: 10}})
	if err != nil || len(tags) != 2 || tags[0].Stories != 30 {
		t.Errorf("tags = %v, %v; want two tags on 30 stories", tags, err)
	}
	for _, db := range []Store{a, b} {
		if err := db.(*postgres.DB).Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if a.Version() != b.Version() || a.Version() < 30 {
		t.Errorf("versions after Refresh: %d and %d, want one version, raised by the 30 writes", a.Version(), b.Version())
	}
}
