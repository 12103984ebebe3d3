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
	if _, err := db.write.ExecContext(ctx, "INSERT INTO story_related (story_id, related_id, score) VALUES (?, ?, 0.5)",
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
