package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"newsdesk/internal/news"
)

// saveTestImage stores a fake image with one small file.
func saveTestImage(t *testing.T, db Store, id string) news.Image {
	t.Helper()
	im := news.Image{ID: id, Width: 320, Height: 200}
	files := []news.ImageFile{{Width: 320, Height: 200, Type: "image/jpeg", Data: []byte("jpeg " + id)}}
	if err := db.SaveImage(context.Background(), im, files); err != nil {
		t.Fatal(err)
	}
	return im
}

func imageStored(t *testing.T, db Store, id string) bool {
	t.Helper()
	_, err := db.Image(context.Background(), id)
	if err != nil && news.ErrorCode(err) != news.ENOTFOUND {
		t.Fatal(err)
	}
	return err == nil
}

func TestStoryImagesAndCleanUp(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		a := saveTestImage(t, db, "aaaa")
		saveTestImage(t, db, "bbbb")
		saveTestImage(t, db, "cccc")

		one, two := newStory("One with a picture"), newStory("Two sharing it")
		for _, s := range []*news.Story{one, two} {
			s.Image, s.ImageAlt, s.ImageCaption, s.ImageCredit = news.Image{ID: a.ID}, "A harbour", "The harbour at dawn.", "Illustration: newsdesk"
			if err := deskOf(db).CreateStory(ctx, s, 0); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.StoryByID(ctx, one.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Image != a || got.ImageCaption != "The harbour at dawn." || got.ImageCredit != "Illustration: newsdesk" {
			t.Errorf("story image = %+v %q %q", got.Image, got.ImageCaption, got.ImageCredit)
		}
		f, err := db.ImageFile(ctx, "aaaa", 320, "image/jpeg")
		if err != nil || !bytes.Equal(f.Data, []byte("jpeg aaaa")) {
			t.Errorf("ImageFile = %q, %v", f.Data, err)
		}

		// Replacing one story's picture keeps the image the other still shows.
		got.Image = news.Image{ID: "bbbb"}
		if err := deskOf(db).UpdateStory(ctx, got, got.Revision, 0); err != nil {
			t.Fatal(err)
		}
		if !imageStored(t, db, "aaaa") {
			t.Error("image aaaa removed while story two shows it")
		}
		// Replacing the other's removes it.
		two.Image = news.Image{}
		if err := deskOf(db).UpdateStory(ctx, two, two.Revision, 0); err != nil {
			t.Fatal(err)
		}
		if imageStored(t, db, "aaaa") {
			t.Error("image aaaa kept after no story uses it")
		}
		// A revision naming the removed picture restores without one.
		revs, err := db.Revisions(ctx, two.ID)
		if err != nil {
			t.Fatal(err)
		}
		old := revs[len(revs)-1].Story
		if old.Image.ID != "aaaa" {
			t.Fatalf("first revision's image = %q, want aaaa", old.Image.ID)
		}
		if err := deskOf(db).UpdateStory(ctx, &old, two.Revision, 0); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.StoryByID(ctx, two.ID); got.Image.ID != "" {
			t.Errorf("restored revision shows removed image %q", got.Image.ID)
		}

		// Emptying the trash removes the pictures of the stories deleted.
		if err := deskOf(db).TrashStory(ctx, one.ID); err != nil {
			t.Fatal(err)
		}
		if !imageStored(t, db, "bbbb") {
			t.Error("trashing (not yet deleting) removed the picture")
		}
		if _, err := deskOf(db).EmptyTrash(ctx); err != nil {
			t.Fatal(err)
		}
		if imageStored(t, db, "bbbb") {
			t.Error("image bbbb kept after its story was deleted")
		}
		// cccc was never used: only the sweep with its grace period removes it.
		if !imageStored(t, db, "cccc") {
			t.Error("an unrelated image was removed")
		}
		if n, err := db.DeleteUnusedImages(ctx, db.Clock().Add(-time.Hour)); err != nil || n != 0 {
			t.Errorf("sweep within the grace period deleted %d, %v", n, err)
		}
		if n, err := db.DeleteUnusedImages(ctx, db.Clock().Add(time.Second)); err != nil || n != 1 {
			t.Errorf("sweep deleted %d, %v; want 1", n, err)
		}
	})
}

func TestImagesByURLAndBackup(t *testing.T) {
	stores(t, func(t *testing.T) {
		db := newTestDB(t)
		ctx := context.Background()
		im := saveTestImage(t, db, "dddd")
		item := func() *news.Story {
			s := newStory("From a feed")
			s.URL, s.ImageURL, s.ImageAlt, s.Image = "https://example.com/a", "https://example.com/a.jpg", "Alt", news.Image{ID: im.ID}
			return s
		}
		if _, err := deskOf(db).UpsertStories(ctx, []*news.Story{item()}); err != nil {
			t.Fatal(err)
		}
		got, err := db.ImagesByURL(ctx, []string{"https://example.com/a.jpg", "https://example.com/other.jpg"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got["https://example.com/a.jpg"] != im {
			t.Errorf("ImagesByURL = %v", got)
		}
		// Importing the same item again, picture and all, is a duplicate.
		out, err := deskOf(db).UpsertStories(ctx, []*news.Story{item()})
		if err != nil || out[0] != news.Unchanged {
			t.Errorf("re-import = %v, %v; want unchanged", out, err)
		}
		// A second node (another connection to the database) serves the
		// pictures too: they live in the database.
		cp := reopenOf(t, db)
		if f, err := cp.ImageFile(ctx, "dddd", 320, "image/jpeg"); err != nil || len(f.Data) == 0 {
			t.Errorf("image file from another connection: %v", err)
		}
	})
}
