package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"newsdesk/internal/news"
)

// The backup holds the pictures: they live in the database file.
// The rest of what the stores do with images is tested in storetest.
func TestBackupHoldsImages(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	files := []news.ImageFile{{Width: 320, Height: 200, Type: "image/jpeg", Data: []byte("jpeg dddd")}}
	if err := db.SaveImage(ctx, news.Image{ID: "dddd", Width: 320, Height: 200}, files); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := db.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	cp, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if f, err := cp.ImageFile(ctx, "dddd", 320, "image/jpeg"); err != nil || len(f.Data) == 0 {
		t.Errorf("backup image file: %v", err)
	}
}
