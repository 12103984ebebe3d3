package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/markdown"
	"newsdesk/internal/news"
	"newsdesk/internal/store"
)

func TestImportIsIdempotent(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		rep := importFile(t, db, fixture)
		if rep.Added != 6 || rep.Updated != 0 || rep.Duplicates != 0 || len(rep.Rejected) != 0 {
			t.Fatalf("first import = %v, want 6 added", rep)
		}
		rep = importFile(t, db, fixture)
		if rep.Added != 0 || rep.Duplicates != 6 {
			t.Fatalf("second import = %v, want 6 duplicates", rep)
		}
		n, err := db.StoryCount(context.Background())
		if err != nil || n != 6 {
			t.Fatalf("StoryCount = %d, %v; want 6", n, err)
		}
	})
}

func TestUpsertUpdatesByURLAndKeepsSlug(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		s := &news.Story{Title: "First title", Body: "Body text here.", Source: news.Source{Name: "Wire"},
			URL: "https://wire.example/a", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
		if _, err := deskOf(db).UpsertStories(ctx, []*news.Story{s}); err != nil {
			t.Fatal(err)
		}
		s2 := *s
		s2.ID, s2.Slug, s2.Title = 0, "", "Second title"
		out, err := deskOf(db).UpsertStories(ctx, []*news.Story{&s2})
		if err != nil {
			t.Fatal(err)
		}
		if out[0] != news.Updated {
			t.Errorf("outcome = %v, want Updated", out[0])
		}
		got, err := db.StoryBySlug(ctx, "first-title")
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Second title" {
			t.Errorf("title = %q, want %q", got.Title, "Second title")
		}
	})
}

func TestSlugsAreUnique(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		var list []*news.Story
		for i := range 3 {
			list = append(list, &news.Story{Title: "Same Headline!", Body: "Text.", Source: news.Source{Name: "Wire"},
				GUID: string(rune('a' + i)), Status: news.StatusPublished, PublishedAt: now})
		}
		if _, err := deskOf(db).UpsertStories(ctx, list); err != nil {
			t.Fatal(err)
		}
		for i, want := range []string{"same-headline", "same-headline-2", "same-headline-3"} {
			if list[i].Slug != want {
				t.Errorf("story %d slug = %q, want %q", i, list[i].Slug, want)
			}
		}
	})
}

func TestRelatedRanking(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importFile(t, db, fixture)

		cost, err := db.StoryBySlug(ctx, "prague-counts-the-cost-of-the-flood-as-water-recedes")
		if err != nil {
			t.Fatal(err)
		}
		rel, err := db.Related(ctx, cost.ID, 6)
		if err != nil {
			t.Fatal(err)
		}
		if len(rel) < 2 {
			t.Fatalf("Related = %d stories, want at least 2", len(rel))
		}
		// The two copies of the flood report appear once, naming the other source.
		first := rel[0]
		if first.Story.Source.Name != "Global Wire" && first.Story.Source.Name != "Continental Press" {
			t.Errorf("first related = %q from %s, want the flood report", first.Story.Title, first.Story.Source.Name)
		}
		if len(first.AlsoCoveredBy) != 1 {
			t.Errorf("first related also covered by %v, want the other source", first.AlsoCoveredBy)
		}
		if rel[1].Story.Slug != "flood-defences-debate-returns-to-city-council-agenda" {
			t.Errorf("second related = %q, want the flood defences debate", rel[1].Story.Slug)
		}
		for _, r := range rel {
			if r.Story.ID == cost.ID {
				t.Error("Related contains the story itself")
			}
			if r.Story.Section.Name == "Sport" {
				t.Errorf("Related contains unrelated %q", r.Story.Title)
			}
		}
		copies := 0
		for _, r := range rel {
			if r.Story.Source.Name == "Global Wire" || r.Story.Source.Name == "Continental Press" {
				copies++
			}
		}
		if copies != 1 {
			t.Errorf("flood report appears %d times in related, want once", copies)
		}
	})
}

func TestCopiesAreClustered(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importFile(t, db, fixture)
		a, err := db.StoryBySlug(ctx, "vltava-floods-prague-old-town-as-river-bursts-its-banks")
		if err != nil {
			t.Fatal(err)
		}
		copies, err := db.CopyStories(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(copies) != 1 || copies[0].Source.Name != "Continental Press" {
			t.Fatalf("CopyStories = %d stories, want the Continental Press copy", len(copies))
		}
		if a.Alone {
			t.Error("a story with a copy reads as alone in its cluster")
		}
		// A story alone in its cluster, as most are, has no copies to
		// read.
		alone, err := db.StoryBySlug(ctx, "flood-defences-debate-returns-to-city-council-agenda")
		if err != nil {
			t.Fatal(err)
		}
		if copies, err := db.CopyStories(ctx, alone); err != nil || !alone.Alone || len(copies) != 0 {
			t.Errorf("a story alone: Alone %v, CopyStories %d stories, %v; want alone and none", alone.Alone, len(copies), err)
		}
		rel, err := db.Related(ctx, a.ID, 6)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rel {
			if r.Story.ID == copies[0].ID {
				t.Error("Related lists the story's own copy")
			}
		}
	})
}

func TestDraftsAndFutureStoriesAreHidden(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		list := []*news.Story{
			{Title: "Draft", Body: "x", Source: news.Source{Name: "W"}, GUID: "d", Status: news.StatusDraft, PublishedAt: now.Add(-time.Hour)},
			{Title: "Future", Body: "x", Source: news.Source{Name: "W"}, GUID: "f", Status: news.StatusScheduled, PublishedAt: now.Add(time.Hour)},
			{Title: "Due", Body: "x", Source: news.Source{Name: "W"}, GUID: "s", Status: news.StatusScheduled, PublishedAt: now.Add(-time.Minute)},
		}
		if _, err := deskOf(db).UpsertStories(ctx, list); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			slug    string
			visible bool
		}{{"draft", false}, {"future", false}, {"due", true}} {
			_, err := db.StoryBySlug(ctx, tt.slug)
			if got := err == nil; got != tt.visible {
				t.Errorf("StoryBySlug(%q) visible = %v (%v), want %v", tt.slug, got, err, tt.visible)
			}
		}
	})
}

// A server restarted between imports keeps extending the related lists
// it finds stored, instead of starting them afresh.
func TestRelatedListsSurviveRestart(t *testing.T) {
	stores(t, func(t *testing.T) {
		ctx := context.Background()
		open := reopener(t)
		db := open()
		importFile(t, db, fixture)
		cost, _ := db.StoryBySlug(ctx, "prague-counts-the-cost-of-the-flood-as-water-recedes")
		before, _ := db.Related(ctx, cost.ID, 8)
		db.Close()

		db = open()
		defer db.Close()
		s := &news.Story{Title: "Chip plant adds a second shift", Body: "The laptop processor plant hires for a second shift.",
			Source: news.Source{Name: "Tech Current"}, GUID: "chip-2", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
		if _, err := deskOf(db).UpsertStories(ctx, []*news.Story{s}); err != nil {
			t.Fatal(err)
		}
		after, _ := db.Related(ctx, cost.ID, 8)
		if len(after) != len(before) {
			t.Errorf("related of an untouched story went from %d to %d after a restart and a write", len(before), len(after))
		}
	})
}

// TestHostileBodiesSave saves bodies built to make derivation quadratic:
// a 100,000-level nested list and a 40,000-sentence body. They are stored
// flattened and summarized from their opening.
func TestHostileBodiesSave(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		var sents strings.Builder
		for i := 0; sents.Len() < news.MaxBodyLen-40; i++ {
			fmt.Fprintf(&sents, "Ab cd ef gh ij kl %d. ", i)
		}
		stories := []*news.Story{
			{Title: "Deep list", Body: strings.Repeat("- ", 100_000) + "bottom", URL: "https://x.example/deep"},
			{Title: "Many sentences", Body: sents.String(), URL: "https://x.example/many"},
		}
		for _, s := range stories {
			s.Source.Name, s.Status, s.PublishedAt = "Wire", news.StatusPublished, now.Add(-time.Hour)
			if err := s.Validate(); err != nil {
				t.Fatalf("Validate(%q): %v", s.Title, err)
			}
		}
		if _, err := deskOf(db).UpsertStories(context.Background(), stories); err != nil {
			t.Fatal(err)
		}
		deep, err := db.StoryBySlug(context.Background(), "deep-list")
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(deep.BodyHTML, "<ul>"); n > markdown.MaxDepth {
			t.Errorf("stored body has %d lists, want at most %d", n, markdown.MaxDepth)
		}
		many, err := db.StoryBySlug(context.Background(), "many-sentences")
		if err != nil {
			t.Fatal(err)
		}
		if len(many.KeyPoints) != 3 {
			t.Errorf("key points = %q, want 3", many.KeyPoints)
		}
	})
}

// TestNULInText: text holding a NUL byte (a stray one in a feed, a form
// field, an address such as /tags/%00) is stored, and a lookup or filter
// with one finds nothing instead of failing. PostgreSQL text cannot hold
// NUL: that store keeps U+FFFD in its place, SQLite the NUL itself.
func TestNULInText(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		st := &news.Story{Title: "Harbour\x00 cranes", Summary: "Cranes\x00.", Body: "The harbour's\x00 cranes moved.",
			Author: "Ann\x00", Dateline: "OSLO\x00", Source: news.Source{Name: "Nul\x00 Wire"}, Section: news.Section{Name: "Nul\x00 Desk"},
			Tags: news.NewTags([]string{"cranes\x00"}), Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
		if err := deskOf(db).CreateStory(ctx, st, 0); err != nil {
			t.Fatalf("CreateStory with NULs: %v", err)
		}
		got, err := db.StoryByID(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.ReplaceAll("Harbour\x00 cranes", "\x00", ""); strings.Map(dropNUL, got.Title) != want {
			t.Errorf("title = %q, want %q with a NUL or U+FFFD", got.Title, want)
		}
		c := &news.Comment{StoryID: st.ID, Name: "Reader\x00", Body: "A comment\x00.", Email: "r@example.com", IPHash: "ip", Commenter: "b"}
		if err := db.AddComment(ctx, c, false); err != nil {
			t.Errorf("AddComment with NULs: %v", err)
		}
		const nul = "\x00"
		for name, err := range map[string]error{
			"StoryBySlug": second(db.StoryBySlug(ctx, nul)),
			"Tag":         second(db.Tag(ctx, nul)),
			"Source":      second(db.Source(ctx, nul)),
			"Section":     second(db.Section(ctx, nul)),
			"UserByEmail": second(db.UserByEmail(ctx, nul)),
		} {
			if news.ErrorCode(err) != news.ENOTFOUND {
				t.Errorf("%s(NUL) = %v, want ENOTFOUND", name, err)
			}
		}
		page := news.Page{Number: 1, Size: 10}
		if list, _, err := db.Stories(ctx, news.StoryFilter{SectionSlug: nul, SourceSlug: nul, TagSlug: nul, Authors: []string{nul}, Page: page}); err != nil || len(list) != 0 {
			t.Errorf("Stories(NUL filters) = %d stories, %v; want none", len(list), err)
		}
		if res, err := db.Search(ctx, news.SearchFilter{Query: news.ParseQuery("cranes" + nul), SectionSlug: nul, SourceSlug: nul, Page: page}); err != nil || res.Total != 0 {
			t.Errorf("Search(NUL filters) = %d matches, %v; want none", res.Total, err)
		}
		if list, n, err := db.AdminStories(ctx, news.AdminFilter{Query: news.ParseQuery(nul), Status: nul, SectionSlug: nul, Page: page}); err != nil || n != 0 {
			t.Errorf("AdminStories(NUL filters) = %d stories (%d), %v; want none", len(list), n, err)
		}
		// A tag's name has no control characters (news.NewTags).
		if len(got.Tags) != 1 || got.Tags[0].Name != "cranes" {
			t.Errorf("tags = %+v, want cranes", got.Tags)
		}
		if _, _, err := db.Names(ctx, news.NameFilter{Kind: "tags", Query: nul, Page: page}); err != nil {
			t.Errorf("Names(NUL): %v", err)
		}
		if list, err := db.ModerationQueue(ctx, nul, 10); err != nil || len(list) != 0 {
			t.Errorf("ModerationQueue(NUL) = %v, %v; want none", list, err)
		}
		if ok, err := db.TakeLimit(ctx, "login:"+nul, now, time.Minute, 1); err != nil || !ok {
			t.Errorf("TakeLimit(NUL key) = %v, %v; want taken", ok, err)
		}
		if err := db.ResetLimit(ctx, "login:"+nul); err != nil {
			t.Errorf("ResetLimit(NUL key): %v", err)
		}
	})
}

// dropNUL drops NUL and U+FFFD, for strings.Map: text as either store
// keeps it after a NUL.
func dropNUL(r rune) rune {
	if r == 0 || r == '\uFFFD' {
		return -1
	}
	return r
}

// second returns the error of a (value, error) pair.
func second[T any](_ T, err error) error { return err }

// TestImportKeepsTagNames writes a batch of stories carrying a stored tag
// under another spelling, and a new tag twice: every story shows the
// tag's stored name, and each tag is stored once.
func TestImportKeepsTagNames(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		story := func(n int, tags ...string) *news.Story {
			s := &news.Story{Title: fmt.Sprintf("Story number %d", n), Body: "Body text here.", Source: news.Source{Name: "Wire"},
				URL: fmt.Sprintf("https://wire.example/%d", n), Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
			s.Tags = news.NewTags(tags)
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			return s
		}
		if _, err := deskOf(db).UpsertStories(ctx, []*news.Story{story(1, "Climate Change")}); err != nil {
			t.Fatal(err)
		}
		batch := []*news.Story{story(2, "climate change", "Heat wave"), story(3, "CLIMATE change", "heat wave")}
		if _, err := deskOf(db).UpsertStories(ctx, batch); err != nil {
			t.Fatal(err)
		}
		for _, s := range batch {
			got, err := db.StoryByID(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tag := range got.Tags {
				names = append(names, tag.Name)
			}
			if want := []string{"Climate Change", "Heat wave"}; strings.Join(names, "|") != strings.Join(want, "|") {
				t.Errorf("story %q tags = %q, want %q", s.Title, names, want)
			}
		}
		for slug, want := range map[string]int{"climate-change": 3, "heat-wave": 2} {
			tag, err := db.Tag(ctx, slug)
			if err != nil {
				t.Fatalf("Tag(%q): %v", slug, err)
			}
			ids, err := db.StoryIDsOf(ctx, "tags", tag.ID)
			if err != nil || len(ids) != want {
				t.Errorf("stories tagged %s = %v, %v; want %d", slug, ids, err, want)
			}
		}
	})
}

// TestStoryBySlugTags: an article's tags, read by slug, come in their
// order, with ids, names and slugs as StoryByID reads them, odd names
// intact, and none for an untagged story.
func TestStoryBySlugTags(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		tagged := &news.Story{Title: "Floods reach the old town", Body: "Body text here.", Source: news.Source{Name: "Wire"},
			URL: "https://wire.example/floods", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour),
			Tags: news.NewTags([]string{"Zürich \"floods\"", "Alpha", "Mid <b>&amp;</b>", "Unit\x1fand\x1erecord", "2026"})}
		// Too little text to suggest a tag from.
		plain := &news.Story{Title: "Oh", Body: "Ah.", Source: news.Source{Name: "Wire"},
			URL: "https://wire.example/plain", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour)}
		for _, s := range []*news.Story{tagged, plain} {
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := deskOf(db).UpsertStories(ctx, []*news.Story{tagged, plain}); err != nil {
			t.Fatal(err)
		}
		byID, err := db.StoryByID(ctx, tagged.ID)
		if err != nil {
			t.Fatal(err)
		}
		bySlug, err := db.StoryBySlug(ctx, tagged.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if len(byID.Tags) != 5 || byID.Tags[0].Name != "Zürich \"floods\"" || byID.Tags[3].Name != "Unit and record" {
			t.Fatalf("StoryByID tags = %+v, want the five in their order, control characters as spaces", byID.Tags)
		}
		if !reflect.DeepEqual(bySlug.Tags, byID.Tags) {
			t.Errorf("StoryBySlug tags = %+v, want %+v", bySlug.Tags, byID.Tags)
		}
		got, err := db.StoryBySlug(ctx, plain.Slug)
		if err != nil || got.Tags != nil {
			t.Errorf("untagged story: tags %+v, %v; want none", got.Tags, err)
		}
	})
}

// TestRelatedListsWriteTheirChanges stores related lists as writes do:
// whole, and as the difference from the stored list (ListsWas) when a
// story is offered into one. The list read back is ranked by score, then
// by id.
func TestRelatedListsWriteTheirChanges(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		importFile(t, db, fixture)
		var all []int64
		err := db.IndexStories(ctx, func(s store.Indexed) error { all = append(all, s.ID); return nil })
		if err != nil || len(all) < 6 {
			t.Fatalf("indexed stories = %v, %v; want 6", all, err)
		}
		owner, o := all[0], all[1:]
		slices.Sort(o)
		m := func(i int, score float64) store.Match { return store.Match{ID: o[i], Score: score} }
		var stored []store.Match
		for _, step := range []struct {
			name  string
			list  []store.Match
			known bool
		}{
			{"whole", []store.Match{m(0, .9), m(1, .8), m(2, .7)}, false},
			{"offered second", []store.Match{m(0, .9), m(3, .85), m(1, .8), m(2, .7)}, true},
			{"offered third, the last falling off", []store.Match{m(0, .9), m(3, .85), m(4, .82), m(1, .8)}, true},
			{"rescored", []store.Match{m(3, .95), m(0, .9), m(4, .82), m(1, .8)}, true},
			{"whole and shorter", []store.Match{m(4, .5)}, false},
			{"tied, ranked by id", []store.Match{m(1, .6), m(2, .6), m(4, .5)}, true},
			{"emptied", nil, true},
			{"whole again", []store.Match{m(2, .7), m(0, .6)}, false},
			{"emptied whole", nil, false},
		} {
			ch := store.Changes{Lists: map[int64][]store.Match{owner: step.list}}
			if step.known {
				ch.ListsWas = map[int64][]store.Match{owner: stored}
			}
			if err := db.SaveChanges(ctx, ch); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			stored = step.list
			var got []int64
			err := db.IndexLists(ctx, func(id int64, l []store.Match) error {
				if id == owner {
					for _, m := range l {
						got = append(got, m.ID)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, m := range step.list {
				want = append(want, m.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: stored list %v, want %v", step.name, got, want)
			}
		}
	})
}
