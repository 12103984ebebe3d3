package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsdesk/internal/desk"
	"newsdesk/internal/media"
	"newsdesk/internal/news"
	"newsdesk/internal/sqlite"
)

func TestLoadDrawsAPictureForEveryStory(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	start := time.Now()
	n, err := Load(ctx, desk.New(db), &media.Pictures{Store: db}, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d stories with pictures in %v", n, time.Since(start))
	// Every story, copies in clusters too (reader lists show one card a
	// cluster).
	list, total, err := db.AdminStories(ctx, news.AdminFilter{Page: news.Page{Number: 1, Size: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if total != n || len(list) != n {
		t.Fatalf("%d stories stored, want %d", len(list), n)
	}
	ids := map[string]bool{}
	for _, s := range list {
		if s.Image.ID == "" || s.Image.Width != artWidth || s.Image.Height != artHeight {
			t.Errorf("%q: image %+v, want a %dx%d illustration", s.Title, s.Image, artWidth, artHeight)
		}
		if s.ImageCredit != artCredit || !strings.HasPrefix(s.ImageAlt, "Abstract illustration: ") || s.ImageURL != "" {
			t.Errorf("%q: credit %q, alt %q, url %q", s.Title, s.ImageCredit, s.ImageAlt, s.ImageURL)
		}
		ids[s.Image.ID] = true
	}
	if len(ids) != 8*artVariants {
		t.Errorf("%d distinct pictures, want %d for 8 sections", len(ids), 8*artVariants)
	}
	// Neighbours in a section differ; the same variant is drawn the same.
	a, _ := draw("World", 0)
	b, _ := draw("World", 0)
	c, _ := draw("World", 1)
	if string(a.Pix) != string(b.Pix) || string(a.Pix) == string(c.Pix) {
		t.Error("drawing is not deterministic per variant")
	}
}
