package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"newsdesk/internal/ingest"
	"newsdesk/internal/news"
	"newsdesk/internal/related"
)

// importDemo imports the demo corpus, and returns its NDJSON lines.
func importDemo(t *testing.T, db Store) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../demo/stories.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Import(context.Background(), deskOf(db), bytes.NewReader(raw), ""); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestDemoCopiesShareACluster(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importDemo(t, db)
		wire, err := db.StoryBySlug(ctx, "malaria-vaccine-cuts-severe-cases-by-two-thirds-in-large-african-trial")
		if err != nil {
			t.Fatal(err)
		}
		staff, err := db.StoryBySlug(ctx, "new-malaria-vaccine-cuts-severe-cases-in-children-by-two-thirds-trial-finds")
		if err != nil {
			t.Fatal(err)
		}
		if wire.ClusterID == 0 || wire.ClusterID != staff.ClusterID {
			t.Fatalf("clusters %d and %d, want one", wire.ClusterID, staff.ClusterID)
		}
		var lead int64
		var evidence string
		if err := rawQueryRow(t, db, "SELECT lead_id FROM clusters WHERE id = ?", wire.ClusterID).Scan(&lead); err != nil {
			t.Fatal(err)
		}
		if lead != wire.ID {
			t.Errorf("lead = %d, want the earlier wire version %d", lead, wire.ID)
		}
		if err := rawQueryRow(t, db, "SELECT evidence FROM cluster_members WHERE story_id = ?", staff.ID).Scan(&evidence); err != nil {
			t.Fatal(err)
		}
		var ev related.Evidence
		if err := json.Unmarshal([]byte(evidence), &ev); err != nil || !ev.Same || ev.Lede < 0.5 {
			t.Errorf("evidence of the copy = %s (%v), want a strong lede match", evidence, err)
		}
		// Follow-ups of one story stay apart: four Veridian strike stories.
		var n int
		if err := rawQueryRow(t, db, `SELECT count(DISTINCT cluster_id) FROM stories WHERE title LIKE '%Veridian%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 5 {
			t.Errorf("the five Veridian stories are in %d clusters, want 5", n)
		}
	})
}

// The site's own feed imported under a second source: every item is a
// copy, and the import says so.
func TestImportReportsCopies(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		lines := importDemo(t, db)
		var buf bytes.Buffer
		for _, m := range lines {
			m["url"] = strings.Replace(m["url"].(string), "https://", "https://mirror.example/", 1)
			m["source"] = "Yahoo News"
			b, _ := json.Marshal(m)
			buf.Write(append(b, '\n'))
		}
		rep, err := ingest.Import(context.Background(), deskOf(db), &buf, "")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Added != len(lines) || rep.Copies != len(lines) {
			t.Errorf("report %q, want every item added as a copy", rep)
		}
		if !strings.HasPrefix(rep.String(), "added 69 (69 copies of existing stories), updated 0, duplicates 0, rejected 0") {
			t.Errorf("report line %q", rep)
		}
		var leads int
		if err := rawQueryRow(t, db, `SELECT count(*) FROM clusters c JOIN stories s ON s.id = c.lead_id
			JOIN sources src ON src.id = s.source_id WHERE src.name = 'Yahoo News'`).Scan(&leads); err != nil {
			t.Fatal(err)
		}
		if leads != 0 {
			t.Errorf("%d clusters led by the syndicator's copy, want none", leads)
		}
	})
}

// importMirror imports every demo story again under "Yahoo News".
func importMirror(t *testing.T, db Store, lines []map[string]any) ingest.Report {
	t.Helper()
	var buf bytes.Buffer
	for _, m := range lines {
		c := map[string]any{}
		for k, v := range m {
			c[k] = v
		}
		c["url"] = strings.Replace(m["url"].(string), "https://", "https://yahoo.example/", 1)
		c["source"] = "Yahoo News"
		b, _ := json.Marshal(c)
		buf.Write(append(b, '\n'))
	}
	rep, err := ingest.Import(context.Background(), deskOf(db), &buf, "")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestListsShowOneCardPerStory(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importMirror(t, db, importDemo(t, db))
		var clusters int
		if err := rawQueryRow(t, db, "SELECT count(DISTINCT cluster_id) FROM stories").Scan(&clusters); err != nil {
			t.Fatal(err)
		}
		walk := func(f news.StoryFilter) []*news.Story {
			var all []*news.Story
			seen := map[int64]bool{}
			for page := 1; ; page++ {
				f.Page = news.Page{Number: page, Size: 20}
				list, more, err := db.Stories(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range list {
					if seen[s.ClusterID] && f.SourceSlug == "" {
						t.Errorf("%+v page %d repeats the story %q", f, page, s.Title)
					}
					seen[s.ClusterID] = true
				}
				all = append(all, list...)
				if !more {
					return all
				}
			}
		}
		front := walk(news.StoryFilter{})
		if len(front) != clusters {
			t.Errorf("front pages show %d cards, want one for each of %d clusters", len(front), clusters)
		}
		for _, s := range front {
			if s.Source.Name == "Yahoo News" {
				t.Errorf("the syndicator's copy of %q leads", s.Title)
			}
			if !slices.ContainsFunc(s.AlsoCoveredBy, func(src news.Source) bool { return src.Name == "Yahoo News" }) {
				t.Errorf("card %q does not name Yahoo News: %v", s.Title, s.AlsoCoveredBy)
			}
		}
		walk(news.StoryFilter{SectionSlug: "world"})
		walk(news.StoryFilter{TagSlug: "earthquake"})
		if yahoo := walk(news.StoryFilter{SourceSlug: "yahoo-news"}); len(yahoo) != len(front)+6 {
			t.Errorf("the source page lists %d of its stories, want all %d", len(yahoo), len(front)+6)
		}
		// Related lists: never empty, never the story's own cluster, never a
		// cluster twice.
		for _, s := range front {
			rel, err := db.Related(ctx, s.ID, 6)
			if err != nil {
				t.Fatal(err)
			}
			if len(rel) == 0 {
				t.Errorf("no related stories for %q", s.Title)
			}
			seen := map[int64]bool{s.ClusterID: true}
			for _, r := range rel {
				if seen[r.Story.ClusterID] {
					t.Errorf("related of %q shows %q twice or its own story", s.Title, r.Story.Title)
				}
				seen[r.Story.ClusterID] = true
			}
		}
	})
}

// Trending hashtags count stories, not copies: importing every demo story
// again under a second source changes no count, and the two outlets'
// write-ups of the malaria trial count once.
func TestTrendingTagsCountAClusterOnce(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		lines := importDemo(t, db)
		before, err := db.TrendingTags(ctx, 30*24*time.Hour, 1000)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, tag := range before {
			counts[tag.Slug] = tag.Count
		}
		if counts["malaria"] != 1 {
			t.Errorf("#malaria counted %d times, want 1 (two copies of one story)", counts["malaria"])
		}
		if counts["veridian-strike"] != 5 {
			t.Errorf("#veridian-strike counted %d times, want 5 (five stories)", counts["veridian-strike"])
		}
		importMirror(t, db, lines)
		after, err := db.TrendingTags(ctx, 30*24*time.Hour, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("trending tags changed when every story was copied (-before +after):\n%s", diff)
		}
	})
}
