package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"newsdesk/internal/news"
)

func newStory(title string) *news.Story {
	return &news.Story{Title: title, Body: "A body about " + title + ".", Source: news.Source{Name: "Newsdesk"},
		Status: news.StatusDraft, PublishedAt: now.Add(-time.Hour)}
}

func TestEditConflictKeepsNothingWritten(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	s := newStory("Original")
	if err := deskOf(db).CreateStory(ctx, s, 0); err != nil {
		t.Fatal(err)
	}
	a, b := *s, *s
	a.Title, b.Title = "Editor A", "Editor B"
	if err := deskOf(db).UpdateStory(ctx, &a, 1, 0); err != nil {
		t.Fatal(err)
	}
	err := deskOf(db).UpdateStory(ctx, &b, 1, 0)
	if news.ErrorCode(err) != news.ECONFLICT {
		t.Fatalf("second save from revision 1: %v, want a conflict", err)
	}
	got, err := db.StoryByID(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Editor A" || got.Revision != 2 {
		t.Errorf("story = %q at revision %d, want Editor A at 2", got.Title, got.Revision)
	}
	revs, err := db.Revisions(ctx, s.ID)
	if err != nil || len(revs) != 2 || revs[0].Story.Title != "Editor A" || revs[1].Story.Title != "Original" {
		t.Errorf("revisions = %+v, %v", revs, err)
	}
}

func TestTrashAndRestore(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	s := newStory("Trash me")
	s.Status = news.StatusPublished
	if err := deskOf(db).CreateStory(ctx, s, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StoryBySlug(ctx, "trash-me"); err != nil {
		t.Fatal(err)
	}
	if err := deskOf(db).TrashStory(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StoryBySlug(ctx, "trash-me"); news.ErrorCode(err) != news.ENOTFOUND {
		t.Errorf("trashed story visible: %v", err)
	}
	trash, n, err := db.AdminStories(ctx, news.AdminFilter{Trash: true, Page: news.Page{Number: 1, Size: 10}})
	if err != nil || n != 1 || !trash[0].Trashed {
		t.Fatalf("trash = %d stories, %v", n, err)
	}
	if err := deskOf(db).RestoreStory(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StoryBySlug(ctx, "trash-me"); err != nil {
		t.Errorf("restored story: %v", err)
	}
	deskOf(db).TrashStory(ctx, s.ID)
	// A list naming it (desk takes trashed stories out of the lists, but
	// the rows name stories without a foreign key) goes with it.
	other := newStory("Keeps a list")
	if err := deskOf(db).CreateStory(ctx, other, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, "INSERT INTO story_related (story_id, position, related_id, score) VALUES (?, 7, ?, 0.5)",
		other.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := deskOf(db).EmptyTrash(ctx); err != nil || n != 1 {
		t.Errorf("EmptyTrash = %d, %v", n, err)
	}
	if _, err := db.StoryByID(ctx, s.ID); news.ErrorCode(err) != news.ENOTFOUND {
		t.Errorf("emptied story still stored: %v", err)
	}
	var naming int
	if err := db.read.QueryRow("SELECT count(*) FROM story_related WHERE related_id = ?", s.ID).Scan(&naming); err != nil || naming != 0 {
		t.Errorf("related rows naming the deleted story = %d, %v", naming, err)
	}
}

func TestDuplicateSlugIsAFieldError(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	if err := deskOf(db).CreateStory(ctx, newStory("Taken"), 0); err != nil {
		t.Fatal(err)
	}
	s := newStory("Other")
	s.Slug = "taken"
	err := deskOf(db).CreateStory(ctx, s, 0)
	if news.FieldErrors(err)["slug"] == "" {
		t.Errorf("CreateStory with a used slug: %v, want a slug field error", err)
	}
}

func TestPublishDue(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	s := newStory("Later")
	s.Status, s.PublishedAt = news.StatusScheduled, now.Add(time.Minute)
	if err := deskOf(db).CreateStory(ctx, s, 0); err != nil {
		t.Fatal(err)
	}
	if n, _ := deskOf(db).PublishDue(ctx); n != 0 {
		t.Errorf("PublishDue before time = %d", n)
	}
	db.Now = func() time.Time { return now.Add(2 * time.Minute) }
	v := db.Version()
	if n, err := deskOf(db).PublishDue(ctx); n != 1 || err != nil {
		t.Errorf("PublishDue = %d, %v; want 1", n, err)
	}
	if db.Version() <= v {
		t.Error("PublishDue did not raise the data version")
	}
	got, _ := db.StoryByID(ctx, s.ID)
	if got.Status != news.StatusPublished {
		t.Errorf("status = %q", got.Status)
	}
}

func TestSessions(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	u := &news.User{Email: "ed@example.com", Name: "Ed", Role: news.RoleEditor}
	if err := db.CreateUser(ctx, u, "long enough password"); err != nil {
		t.Fatal(err)
	}
	tok, err := db.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.SessionUser(ctx, tok); err != nil || got.ID != u.ID {
		t.Fatalf("SessionUser = %v, %v", got, err)
	}
	// Idle for longer than the idle timeout: gone.
	db.Now = func() time.Time { return now.Add(SessionIdle + time.Minute) }
	if _, err := db.SessionUser(ctx, tok); news.ErrorCode(err) != news.EUNAUTHORIZED {
		t.Errorf("idle session: %v", err)
	}
	db.Now = func() time.Time { return now }
	tok, _ = db.CreateSession(ctx, u.ID)
	if err := db.SetUserAccess(ctx, u.ID, u.Role, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionUser(ctx, tok); news.ErrorCode(err) != news.EUNAUTHORIZED {
		t.Errorf("session of disabled user: %v", err)
	}
}

// A feed update of a trashed story leaves it in the trash and out of
// search and related lists.
func TestImportKeepsTrashedStoriesTrashed(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	importFile(t, db, "testdata/fixture.ndjson")
	st, err := db.StoryBySlug(ctx, "prague-counts-the-cost-of-the-flood-as-water-recedes")
	if err != nil {
		t.Fatal(err)
	}
	if err := deskOf(db).TrashStory(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	upd, _ := db.StoryByID(ctx, st.ID)
	upd.ID, upd.Slug, upd.Body = 0, "", upd.Body+"\n\nAn update from the wire about cellars."
	if out, err := deskOf(db).UpsertStories(ctx, []*news.Story{upd}); err != nil || out[0] != news.Updated {
		t.Fatalf("update = %v, %v", out, err)
	}
	if _, err := db.StoryBySlug(ctx, st.Slug); news.ErrorCode(err) != news.ENOTFOUND {
		t.Errorf("trashed story visible after a feed update: %v", err)
	}
	if res := search(t, db, "cellars"); res.Total != 0 {
		t.Errorf("search finds the trashed story: %d", res.Total)
	}
	flood, _ := db.StoryBySlug(ctx, "vltava-floods-prague-old-town-as-river-bursts-its-banks")
	rel, _ := db.Related(ctx, flood.ID, 8)
	for _, r := range rel {
		if r.Story.ID == st.ID {
			t.Error("trashed story listed as related")
		}
	}
}

// notFound never takes its sentence for a format: a "%" in what it names
// comes through as written, both as the not-found message and as the
// context of another error.
func TestNotFoundKeepsPercent(t *testing.T) {
	if err := notFound(sql.ErrNoRows, "Story %q not found.", "100%-pure"); news.ErrorMessage(err) != `Story "100%-pure" not found.` {
		t.Errorf("not found: %q", news.ErrorMessage(err))
	}
	if err := notFound(errors.New("disk I/O error"), "Story %q not found.", "100%s-%d"); err.Error() != `story "100%s-%d" not found: disk I/O error` {
		t.Errorf("other error: %q", err.Error())
	}
}
