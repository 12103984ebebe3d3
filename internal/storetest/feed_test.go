package storetest

import (
	"context"
	"testing"
	"time"

	"newsdesk/internal/news"
)

func wireStory(title, body string) *news.Story {
	return &news.Story{Title: title, Body: body, Summary: "A dek.", Source: news.Source{Name: "Wire"},
		URL: "https://wire.example/story", Author: "Ann", Status: news.StatusPublished, PublishedAt: now.Add(-2 * time.Hour)}
}

func upsertOne(t *testing.T, db Store, s *news.Story) news.Outcome {
	t.Helper()
	out, err := deskOf(db).UpsertStories(context.Background(), []*news.Story{s})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// Issue 14, item 3: import a story, set it to draft, import a corrected
// version: it stays a draft, and what the editor changed stays.
func TestFeedUpdateKeepsEditorsStatusAndFields(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		if o := upsertOne(t, db, wireStory("Dam holds after storm", "The dam held.")); o != news.Added {
			t.Fatalf("first import = %v, want Added", o)
		}
		st, err := db.StoryBySlug(ctx, "dam-holds-after-storm")
		if err != nil {
			t.Fatal(err)
		}
		edit, _ := db.StoryByID(ctx, st.ID)
		edit.Title, edit.Status = "Dam holds after the storm, engineers say", news.StatusDraft
		if err := deskOf(db).UpdateStory(ctx, edit, edit.Revision, 0); err != nil {
			t.Fatal(err)
		}

		// The feed serves the same item again: nothing to do, though the
		// stored story differs from it.
		if o := upsertOne(t, db, wireStory("Dam holds after storm", "The dam held.")); o != news.Unchanged {
			t.Errorf("re-import of the unchanged item = %v, want Unchanged", o)
		}
		// A corrected version upstream: the body is the feed's, the title and
		// the draft status stay the editor's.
		if o := upsertOne(t, db, wireStory("Dam holds after storm (corrected)", "The dam held, the river fell.")); o != news.Updated {
			t.Fatalf("import of the corrected item = %v, want Updated", o)
		}
		got, err := db.StoryByID(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != news.StatusDraft {
			t.Errorf("status after a feed update = %q, want draft", got.Status)
		}
		if got.Title != "Dam holds after the storm, engineers say" {
			t.Errorf("title after a feed update = %q, want the editor's", got.Title)
		}
		if got.Body != "The dam held, the river fell." || got.Slug != st.Slug {
			t.Errorf("body %q slug %q, want the feed's new body and the old slug", got.Body, got.Slug)
		}
		if _, err := db.StoryBySlug(ctx, st.Slug); news.ErrorCode(err) != news.ENOTFOUND {
			t.Errorf("a draft is visible after a feed update: %v", err)
		}
		revs, err := db.Revisions(ctx, st.ID)
		if err != nil || len(revs) < 3 || revs[0].Story.Body != "The dam held, the river fell." || revs[0].UserName != "" {
			t.Errorf("revisions = %+v, %v; want the feed's update kept as the newest revision", revs, err)
		}
	})
}

// An item updated upstream updates its story, keeps the version before
// as a revision, and the article knows it was updated.
func TestFeedUpdateKeepsRevisionsAndMarksTheStoryUpdated(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		upsertOne(t, db, wireStory("Council votes on budget", "The council met."))
		st, err := db.StoryBySlug(ctx, "council-votes-on-budget")
		if err != nil {
			t.Fatal(err)
		}
		if !st.RevisedAt.IsZero() {
			t.Errorf("a new story has RevisedAt %v, want zero", st.RevisedAt)
		}
		if o := upsertOne(t, db, wireStory("Council passes budget", "The council passed the budget.")); o != news.Updated {
			t.Fatalf("update = %v", o)
		}
		got, err := db.StoryBySlug(ctx, st.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Council passes budget" || got.Status != news.StatusPublished || !got.RevisedAt.Equal(now) {
			t.Errorf("story = %q %s revised %v; want the new title, published, revised now", got.Title, got.Status, got.RevisedAt)
		}
		revs, err := db.Revisions(ctx, st.ID)
		if err != nil || len(revs) != 2 || revs[1].Story.Title != "Council votes on budget" || revs[0].Story.Title != "Council passes budget" {
			t.Errorf("revisions = %+v, %v; want the version before and the update", revs, err)
		}
	})
}

func TestFeedsAreStoredAndChecksRecorded(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		f := &news.Feed{Source: news.Source{Name: "Tech Wire"}, URL: "https://tw.example/feed.xml", Interval: time.Minute}
		if err := db.CreateFeed(ctx, f); err != nil {
			t.Fatal(err)
		}
		if f.ID == 0 || f.Source.Slug != "tech-wire" || !f.NextFetchAt.Equal(now) {
			t.Errorf("created feed = %+v, want an id, the source's slug and due now", f)
		}
		dup := &news.Feed{Source: news.Source{Name: "Other"}, URL: f.URL, Interval: time.Minute}
		if err := db.CreateFeed(ctx, dup); news.FieldErrors(err)["url"] == "" {
			t.Errorf("second subscription to the same URL = %v, want a url field error", err)
		}

		later := now.Add(time.Minute)
		if err := db.RecordFeedCheck(ctx, f.ID, news.FeedCheck{At: now, Status: 200, ETag: `"a"`, LastModified: "Mon, 16 Mar 2026 11:00:00 GMT",
			Added: 3, Next: later, Rejected: "entry 4: no publication date"}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordFeedCheck(ctx, f.ID, news.FeedCheck{At: later, Status: 500, Err: "the server answered 500", Failed: true, Next: later.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordFeedCheck(ctx, f.ID, news.FeedCheck{At: later.Add(time.Hour), Err: "no answer within 30s", Failed: true, Next: later.Add(3 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Feed(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ETag != `"a"` || got.LastModified == "" || got.ItemsAdded != 3 || got.Failures != 2 || !got.FailingSince.Equal(later) ||
			got.LastError != "no answer within 30s" || got.LastStatus != 0 || !got.LastSuccessAt.Equal(now) || !got.NextFetchAt.Equal(later.Add(3*time.Hour)) {
			t.Errorf("feed after a success and two failures = %+v", got)
		}
		if err := db.RecordFeedCheck(ctx, f.ID, news.FeedCheck{At: later.Add(3 * time.Hour), Status: 304, Next: later.Add(4 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Feed(ctx, f.ID)
		if got.Failures != 0 || !got.FailingSince.IsZero() || got.ETag != `"a"` || got.LastStatus != 304 || got.LastError != "" {
			t.Errorf("feed after a 304 = %+v, want failures cleared and the validators kept", got)
		}

		list, err := db.Feeds(ctx)
		if err != nil || len(list) != 1 || list[0].URL != f.URL {
			t.Errorf("Feeds = %+v, %v", list, err)
		}
		if err := db.DeleteFeed(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteFeed(ctx, f.ID); news.ErrorCode(err) != news.ENOTFOUND {
			t.Errorf("second delete = %v, want not found", err)
		}
	})
}
