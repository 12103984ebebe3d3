package storetest

import (
	"context"
	"testing"
	"time"

	"newsdesk/internal/news"
)

// An editor's save places the story as an import does: a newsroom
// version of a wire story joins the wire's cluster, and rewriting it into
// another story takes it out again.
func TestEditorSaveKeepsClustersUpToDate(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		lines := importDemo(t, db)
		var quake map[string]any
		for _, m := range lines {
			if m["title"] == "Magnitude 6.2 Earthquake Strikes Southern Peru, Damaging Homes in Andean Towns" {
				quake = m
			}
		}
		if quake == nil {
			t.Fatal("no wire quake story in the demo")
		}
		wire, err := db.StoryBySlug(ctx, "magnitude-6-2-earthquake-strikes-southern-peru-damaging-homes-in-andean-towns")
		if err != nil {
			t.Fatal(err)
		}
		// The newsroom files the wire's report under its own name, an hour on.
		s := &news.Story{Title: "Magnitude 6.2 Earthquake Strikes Southern Peru, Damaging Homes", Summary: quake["summary"].(string),
			Body: quake["body"].(string), Source: news.Source{Name: "Newsdesk Staff"}, Section: news.Section{Name: "World"},
			Status: news.StatusPublished, PublishedAt: wire.PublishedAt.Add(time.Hour)}
		if err := deskOf(db).CreateStory(ctx, s, 0); err != nil {
			t.Fatal(err)
		}
		saved, err := db.StoryByID(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if saved.ClusterID != wire.ClusterID {
			t.Fatalf("the newsroom's version is in cluster %d, want the wire's %d", saved.ClusterID, wire.ClusterID)
		}
		// Rewritten into a different story, it leaves.
		saved.Title = "Lighthouse Keepers Return to Skerry Point After Forty Years"
		saved.Summary = "Two keepers moved in on Monday to run the new visitor centre."
		saved.Body = "The lighthouse at Skerry Point has keepers again.\n\nTwo keepers moved in on Monday to run the visitor centre, forty years after the light was automated."
		if err := deskOf(db).UpdateStory(ctx, saved, saved.Revision, 0); err != nil {
			t.Fatal(err)
		}
		after, err := db.StoryByID(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.ClusterID == wire.ClusterID {
			t.Error("rewritten into another story, the newsroom's version is still in the quake's cluster")
		}
		versions, _, err := db.Versions(ctx, wire)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range versions {
			if v.ID == s.ID {
				t.Error("the quake's coverage still lists the rewritten story")
			}
		}
	})
}
