package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"newsdesk/internal/desk"
	"newsdesk/internal/news"
)

// The store keeps story cards and pages of list ids in memory
// (sqlstore.Cache). With the render cache off, every page is rendered
// from them: after each kind of write that changes a card, the pages
// showing it show the new card at once.
func TestCardsNeverStale(t *testing.T) {
	base := newTestSite(t)
	ts := siteOver(t, base, nil, func(c *Config) { c.PageCacheBytes = 0 })
	ctx := context.Background()
	dk := deskOf(ts.db)
	story := func(title string) *news.Story {
		t.Helper()
		st := storyTitled(t, ts.db, title)
		full, err := ts.db.StoryByID(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		return full
	}
	// has reports whether the card of the story titled title, on the page
	// at path, contains want.
	card := func(path, title string) string {
		t.Helper()
		doc := ts.page(t, path, 200)
		var html string
		doc.Find("article.card").Each(func(_ int, s *goquery.Selection) {
			if strings.Contains(s.Find(".card__title").Text(), title) {
				html, _ = s.Html()
			}
		})
		return html
	}
	lists := []string{"/", "/sections/world", "/tags/prague", "/sources/continental-press"}
	warm := func() {
		for _, p := range append(lists, "/sections/sport", "/tags/football", "/articles/"+floodSlug) {
			ts.get(t, p)
		}
	}
	const flood, copyTitle = "Vltava floods Prague", "River bursts banks"
	expect := func(what string, paths []string, title, want string, present bool) {
		t.Helper()
		for _, p := range paths {
			c := card(p, title)
			if c == "" && present {
				t.Errorf("%s: GET %s shows no card titled %q", what, p, title)
			} else if strings.Contains(c, want) != present {
				t.Errorf("%s: GET %s, card %q contains %q = %v, want %v:\n%s", what, p, title, want, !present, present, c)
			}
		}
	}
	// The two versions of the flood story are one card naming the other.
	warm()
	expect("before", []string{"/"}, flood, "Also covered by", true)

	// An editor's edit of the title and summary.
	warm()
	sport := story("Striker scores twice")
	s := *sport
	s.Title, s.Summary = "Rovers striker scores twice, reaches the semi-finals", "A new summary of the cup match."
	if err := dk.UpdateStory(ctx, &s, sport.Revision, 0); err != nil {
		t.Fatal(err)
	}
	expect("edit", []string{"/sections/sport", "/tags/football"}, "Rovers striker scores twice", "A new summary of the cup match.", true)
	expect("edit", []string{"/"}, "Rovers striker scores twice", "Rovers striker scores twice", true)

	// A comment approved: the card counts it.
	warm()
	c := &news.Comment{StoryID: sport.ID, Name: "Reader", Body: "Great match"}
	if err := ts.db.AddComment(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if err := ts.db.ModerateComments(ctx, []int64{c.ID}, news.CommentApproved); err != nil {
		t.Fatal(err)
	}
	expect("comment", []string{"/", "/sections/sport"}, "Rovers striker scores twice", "1 comment", true)

	// Renames of a source and a section.
	warm()
	srcs, err := ts.db.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		if src.Name == "Continental Press" {
			if err := dk.Rename(ctx, "sources", src.ID, "Continental Press Agency"); err != nil {
				t.Fatal(err)
			}
		}
	}
	expect("source renamed", []string{"/", "/sections/world", "/tags/prague"}, flood, "Continental Press Agency", true)
	warm()
	sec, err := ts.db.Section(ctx, "world")
	if err != nil {
		t.Fatal(err)
	}
	if err := dk.Rename(ctx, "sections", sec.ID, "World News"); err != nil {
		t.Fatal(err)
	}
	expect("section renamed", []string{"/", "/tags/prague"}, flood, "World News", true)

	// Trash and restore the lead: the copy's card stands alone, then the
	// lead's card is back naming it.
	warm()
	lead := story(flood)
	if err := dk.TrashStory(ctx, lead.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range lists[:3] {
		if _, body := ts.get(t, p); strings.Contains(body, flood) {
			t.Errorf("trash: GET %s still shows the trashed story", p)
		}
	}
	expect("trash", lists[:3], copyTitle, "Also covered by", false)
	warm()
	if err := dk.RestoreStory(ctx, lead.ID); err != nil {
		t.Fatal(err)
	}
	expect("restore", []string{"/"}, flood, "Also covered by", true)

	// Split the copy off, then merge it back.
	warm()
	cp := story(copyTitle)
	if err := dk.SplitStory(ctx, cp.ID, 0); err != nil {
		t.Fatal(err)
	}
	expect("split", []string{"/", "/tags/prague"}, flood, "Also covered by", false)
	expect("split", []string{"/sources/continental-press"}, copyTitle, "Also covered by", false)
	warm()
	if err := dk.MergeClusters(ctx, cp.ID, lead.ID, 0); err != nil {
		t.Fatal(err)
	}
	expect("merge", []string{"/"}, flood, "Also covered by", true)
	expect("merge", []string{"/sources/continental-press"}, copyTitle, "Also covered by", true)

	// A version scheduled in the cluster appears on the card when its
	// time comes, with no write in between (the publisher has not run).
	sched := &news.Story{Title: "Prague flood: the river peaks at dawn", Body: "The Vltava peaked at dawn.",
		Source: news.Source{Name: "Harbor Times"}, Section: news.Section{Name: "World"}, Status: news.StatusScheduled,
		PublishedAt: now.Add(10 * time.Minute)}
	if err := dk.CreateStory(ctx, sched, 0); err != nil {
		t.Fatal(err)
	}
	lead, err = ts.db.StoryByID(ctx, lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sched, err = ts.db.StoryByID(ctx, sched.ID); err != nil {
		t.Fatal(err)
	}
	if sched.ClusterID != lead.ClusterID {
		if err := dk.MergeClusters(ctx, sched.ID, lead.ID, 0); err != nil {
			t.Fatal(err)
		}
	}
	// And a story of its own, scheduled for the same time, joins the lists.
	lone := &news.Story{Title: "Chess club opens a second hall", Body: "The chess club opened a second hall on Friday.",
		Source: news.Source{Name: "Metro Ledger"}, Section: news.Section{Name: "Sport"}, Status: news.StatusScheduled,
		PublishedAt: now.Add(10 * time.Minute)}
	if err := dk.CreateStory(ctx, lone, 0); err != nil {
		t.Fatal(err)
	}
	warm()
	expect("scheduled, not yet", []string{"/"}, flood, "Harbor Times", false)
	for _, p := range []string{"/", "/sections/sport"} {
		if _, body := ts.get(t, p); strings.Contains(body, lone.Title) {
			t.Errorf("GET %s shows a story scheduled for later", p)
		}
	}
	ts.clock.Advance(11 * time.Minute)
	expect("scheduled, due", []string{"/"}, flood, "Harbor Times", true)
	for _, p := range []string{"/", "/sections/sport"} {
		if _, body := ts.get(t, p); !strings.Contains(body, lone.Title) {
			t.Errorf("GET %s lacks the scheduled story whose time came", p)
		}
	}
}

// A write by another node (PostgreSQL) or process (SQLite) reaches the
// cards through the change log: once this store has seen its version,
// the pages show it, with the render cache off.
func TestCardsSeeOtherNodesWrites(t *testing.T) {
	base := newTestSite(t)
	ts := siteOver(t, base, nil, func(c *Config) { c.PageCacheBytes = 0 })
	ctx := context.Background()
	other := ts.reopen()
	for _, p := range []string{"/", "/sections/sport"} {
		ts.get(t, p)
	}
	st := storyTitled(t, other, "Striker scores twice")
	full, err := other.StoryByID(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	s := *full
	s.Title = "Rovers reach the semi-finals on a double"
	if err := desk.New(other).UpdateStory(ctx, &s, full.Revision, 0); err != nil {
		t.Fatal(err)
	}
	ts.awaitVersionOf(t, other)
	for _, p := range []string{"/", "/sections/sport", "/tags/football"} {
		if _, body := ts.get(t, p); !strings.Contains(body, s.Title) || strings.Contains(body, "Striker scores twice") {
			t.Errorf("GET %s does not show the other node's new title", p)
		}
	}
}

// storyTitled returns the visible story whose title starts with title.
func storyTitled(t *testing.T, db testStore, title string) *news.Story {
	t.Helper()
	list, _, err := db.Stories(context.Background(), news.StoryFilter{Page: news.Page{Number: 1, Size: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if strings.HasPrefix(s.Title, title) {
			return s
		}
	}
	// A copy is listed only by its source.
	for _, s := range list {
		for _, src := range s.AlsoCoveredBy {
			more, _, err := db.Stories(context.Background(), news.StoryFilter{SourceSlug: src.Slug, Page: news.Page{Number: 1, Size: 100}})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range more {
				if strings.HasPrefix(m.Title, title) {
					return m
				}
			}
		}
	}
	t.Fatalf("no story titled %q…", title)
	return nil
}
