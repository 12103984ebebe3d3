package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
)

// versionSources returns the sources of the versions of s's story, oldest
// first, and the lead's.
func versionSources(t *testing.T, db Store, slug string) ([]string, string) {
	t.Helper()
	s, err := db.StoryBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	versions, lead, err := db.Versions(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range versions {
		names = append(names, v.Source.Name)
	}
	return names, lead.Source.Name
}

// Trashing the lead version of a story hands the card to the other
// version; restoring it gives it back.
func TestTrashAndRestoreKeepTheStoryListed(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importDemo(t, db)
		const wireSlug = "malaria-vaccine-cuts-severe-cases-by-two-thirds-in-large-african-trial"
		const staffSlug = "new-malaria-vaccine-cuts-severe-cases-in-children-by-two-thirds-trial-finds"
		wire, err := db.StoryBySlug(ctx, wireSlug)
		if err != nil {
			t.Fatal(err)
		}
		cards := func() []*news.Story {
			t.Helper()
			list, _, err := db.Stories(ctx, news.StoryFilter{TagSlug: "malaria", Page: news.Page{Number: 1, Size: 20}})
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		if names, lead := versionSources(t, db, staffSlug); len(names) != 2 || lead != "Global Wire" {
			t.Fatalf("before: versions %v led by %s, want two led by Global Wire", names, lead)
		}
		if err := deskOf(db).TrashStory(ctx, wire.ID); err != nil {
			t.Fatal(err)
		}
		if names, lead := versionSources(t, db, staffSlug); len(names) != 1 || lead != "Newsdesk Staff" {
			t.Errorf("wire trashed: versions %v led by %s, want the staff version alone", names, lead)
		}
		if c := cards(); len(c) != 1 || c[0].Slug != staffSlug || len(c[0].AlsoCoveredBy) != 0 {
			t.Errorf("wire trashed: #malaria lists %d cards, want the staff version alone", len(c))
		}
		if err := deskOf(db).RestoreStory(ctx, wire.ID); err != nil {
			t.Fatal(err)
		}
		if names, lead := versionSources(t, db, staffSlug); len(names) != 2 || lead != "Global Wire" {
			t.Errorf("wire restored: versions %v led by %s, want two led by Global Wire", names, lead)
		}
		if c := cards(); len(c) != 1 || c[0].Slug != wireSlug || len(c[0].AlsoCoveredBy) != 1 {
			t.Errorf("wire restored: #malaria lists %d cards, want the wire's naming the staff's source", len(c))
		}
	})
}

// A story like no other, with no section and tags no other story has,
// still gets a related list: the latest stories, marked as nearby rather
// than related.
func TestRelatedNeverEmpty(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importDemo(t, db)
		s := &news.Story{Title: "Quorbling Zentrix Wibbleton Frobnicates", Body: "Quorbling zentrix wibbleton frobnicates the glimmerhorn.",
			Source: news.Source{Name: "Newsdesk"}, Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
		if err := deskOf(db).CreateStory(ctx, s, 0); err != nil {
			t.Fatal(err)
		}
		rel, err := db.Related(ctx, s.ID, 6)
		if err != nil {
			t.Fatal(err)
		}
		if len(rel) == 0 {
			t.Fatal("a story like no other has no related list")
		}
		for _, r := range rel {
			if !r.Nearby || r.Story.ID == s.ID {
				t.Errorf("related %q: nearby %v, want only other stories marked nearby", r.Story.Title, r.Nearby)
			}
		}
	})
}

// An editor's merge racing an import of copies: both land.
func TestMergeRacingAnImport(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		lines := importDemo(t, db)
		wire, _ := db.StoryBySlug(ctx, "malaria-vaccine-cuts-severe-cases-by-two-thirds-in-large-african-trial")
		quake, _ := db.StoryBySlug(ctx, "magnitude-6-2-earthquake-strikes-southern-peru-damaging-homes-in-andean-towns")
		var wg sync.WaitGroup
		var rep ingest.Report
		wg.Add(2)
		go func() { defer wg.Done(); rep = importMirror(t, db, lines) }()
		go func() {
			defer wg.Done()
			if err := deskOf(db).MergeClusters(ctx, quake.ID, wire.ID, 0); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		if rep.Added != len(lines) {
			t.Errorf("import during the merge: %s, want all %d added", rep, len(lines))
		}
		wire, _ = db.StoryBySlug(ctx, wire.Slug)
		quake, _ = db.StoryBySlug(ctx, quake.Slug)
		if quake.ClusterID != wire.ClusterID {
			t.Error("the merge was lost to the import")
		}
		names, _ := versionSources(t, db, wire.Slug)
		yahoo := 0
		for _, n := range names {
			if n == "Yahoo News" {
				yahoo++
			}
		}
		// The merged cluster holds the wire's and the quake's stories and
		// the mirrored copy of each (two of the quake: the Continental Press
		// write-up is a copy too).
		if yahoo < 2 {
			t.Errorf("merged cluster holds %d mirrored copies (%v), want the copies of both stories", yahoo, names)
		}
	})
}
