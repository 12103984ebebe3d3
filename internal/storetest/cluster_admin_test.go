package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
)

func TestEditorOverridesStick(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		lines := importDemo(t, db)
		wire, _ := db.StoryBySlug(ctx, "malaria-vaccine-cuts-severe-cases-by-two-thirds-in-large-african-trial")
		staff, _ := db.StoryBySlug(ctx, "new-malaria-vaccine-cuts-severe-cases-in-children-by-two-thirds-trial-finds")
		quake, _ := db.StoryBySlug(ctx, "magnitude-6-2-earthquake-strikes-southern-peru-damaging-homes-in-andean-towns")
		u := &news.User{Email: "eda@example.com", Name: "Eda Editor", Role: "editor"}
		if err := db.CreateUser(ctx, u, "long enough password"); err != nil {
			t.Fatal(err)
		}

		// Choose the staff version as lead.
		if err := deskOf(db).ChooseLead(ctx, staff.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		c, err := db.Cluster(ctx, wire.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Lead != staff.ID || c.ChosenLead != staff.ID || len(c.Log) != 1 || c.Log[0].UserName != "Eda Editor" {
			t.Fatalf("after choosing the lead: %+v", c)
		}

		// Split the staff version out, while the whole demo is imported again
		// under another source: neither the split nor the import is lost.
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); importMirror(t, db, lines) }()
		go func() {
			defer wg.Done()
			if err := deskOf(db).SplitStory(ctx, staff.ID, u.ID); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		wire, _ = db.StoryBySlug(ctx, wire.Slug)
		staff, _ = db.StoryBySlug(ctx, staff.Slug)
		if wire.ClusterID == staff.ClusterID {
			t.Fatal("the split did not hold")
		}
		var copies int
		if err := rawQueryRow(t, db, `SELECT count(*) FROM stories s JOIN sources src ON src.id = s.source_id
			WHERE src.name = 'Yahoo News' AND s.cluster_id IN (SELECT cluster_id FROM stories WHERE id IN (?, ?))`, wire.ID, staff.ID).Scan(&copies); err != nil {
			t.Fatal(err)
		}
		if copies != 2 {
			t.Errorf("%d mirrored copies joined the malaria clusters, want 2 (one each)", copies)
		}
		// A later poll bringing an update of the staff story keeps it split.
		for _, m := range lines {
			if strings.Contains(m["title"].(string), "New Malaria Vaccine") {
				m["summary"] = m["summary"].(string) + " Updated."
				b, _ := json.Marshal(m)
				if _, err := ingest.Import(ctx, deskOf(db), bytes.NewReader(b), ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		wire, _ = db.StoryBySlug(ctx, wire.Slug)
		staff, _ = db.StoryBySlug(ctx, staff.Slug)
		if wire.ClusterID == staff.ClusterID {
			t.Error("the split came undone on re-import")
		}

		// Merge the quake into the malaria story (a wrong merge, for the test).
		if err := deskOf(db).MergeClusters(ctx, quake.ID, wire.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		quake, _ = db.StoryBySlug(ctx, quake.Slug)
		if quake.ClusterID != wire.ClusterID {
			t.Error("merge did not move the quake into the malaria cluster")
		}
		importMirror(t, db, lines)
		quake, _ = db.StoryBySlug(ctx, quake.Slug)
		if quake.ClusterID != wire.ClusterID {
			t.Error("the merge came undone on re-import")
		}
		c, _ = db.Cluster(ctx, wire.ID)
		if len(c.Log) == 0 || c.Log[0].Action != "merge" {
			t.Errorf("merge not recorded: %+v", c.Log)
		}
	})
}

func TestOriginalSourceLeads(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importDemo(t, db)
		wire, _ := db.StoryBySlug(ctx, "malaria-vaccine-cuts-severe-cases-by-two-thirds-in-large-african-trial")
		staff, _ := db.StoryBySlug(ctx, "new-malaria-vaccine-cuts-severe-cases-in-children-by-two-thirds-trial-finds")
		orig, err := db.OriginalSources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !orig[wire.Source.ID] || !orig[staff.Source.ID] {
			t.Fatalf("Global Wire and Newsdesk Staff are not original by default: %v", orig)
		}
		if err := deskOf(db).SetSourceOriginal(ctx, wire.Source.ID, false); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.Cluster(ctx, wire.ID); c.Lead != staff.ID {
			t.Errorf("with Global Wire a syndicator, the lead is %d, want the staff version %d", c.Lead, staff.ID)
		}
	})
}
