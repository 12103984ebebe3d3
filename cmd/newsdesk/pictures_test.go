package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlite"
)

func TestImportFetchesPictures(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 1600, 900))
	for i := range m.Pix {
		m.Pix[i] = uint8(i)
	}
	m.Set(0, 0, color.White)
	var photo bytes.Buffer
	jpeg.Encode(&photo, m, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/photo.jpg":
			w.Write(photo.Bytes())
		case "/huge.jpg":
			w.Write(append(append([]byte{}, photo.Bytes()...), make([]byte, 25<<20)...))
		case "/script.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
		case "/metadata.jpg":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	line := func(n int, img string) string {
		return fmt.Sprintf(`{"title":"Story %d","body":"Body %d.","published_at":"2026-03-15T10:00:00Z","url":"https://w.example/%d","image_url":%q,"image_alt":"A picture","image_credit":"Photo: Wire"}`, n, n, n, img)
	}
	in := strings.Join([]string{
		line(1, srv.URL+"/photo.jpg"),
		line(2, srv.URL+"/huge.jpg"),
		line(3, srv.URL+"/script.jpg"),
		line(4, srv.URL+"/missing.jpg"),
		line(7, srv.URL+"/photo.jpg"), // the same picture, fetched once
	}, "\n")
	db := filepath.Join(t.TempDir(), "p.db")
	code, out, err := runCmd(t, in, "import", "--db", db, "--allow-private-fetch", "-")
	if err != nil || code != 0 {
		t.Fatalf("import = %d, %v:\n%s", code, err, out)
	}
	for _, want := range []string{
		"added 5, updated 0, duplicates 0, rejected 0",
		"line 2: imported without its picture", "20 MB",
		"line 3: imported without its picture", "SVG",
		"line 4: imported without its picture", "404",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Without --allow-private-fetch: the cloud metadata address is
	// refused, and so is the loopback server (whose redirect to it is
	// never reached; internal/fetch's tests refuse such redirects).
	in = strings.Join([]string{
		line(5, srv.URL+"/metadata.jpg"),
		line(6, "http://169.254.169.254/latest/meta-data/iam.jpg"),
		line(8, srv.URL+"/photo.jpg?again"),
	}, "\n")
	code, out, _ = runCmd(t, in, "import", "--db", db, "-")
	for _, want := range []string{
		"added 3, updated 0, duplicates 0, rejected 0",
		"line 1: imported without its picture", "127.0.0.1 is a loopback address",
		"line 2: imported without its picture", "169.254.169.254 is a link-local address",
		"line 3: imported without its picture",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("import without the flag = %d, output lacks %q:\n%s", code, want, out)
		}
	}

	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	list, _, err := store.Stories(context.Background(), news.StoryFilter{Page: news.Page{Number: 1, Size: 20}})
	if err != nil {
		t.Fatal(err)
	}
	pictured := map[string]string{}
	for _, s := range list {
		pictured[s.Title] = s.Image.ID
	}
	if pictured["Story 1"] == "" || pictured["Story 1"] != pictured["Story 7"] {
		t.Errorf("stories 1 and 7 should share one picture: %v", pictured)
	}
	for _, n := range []string{"Story 2", "Story 3", "Story 4", "Story 5", "Story 6", "Story 8"} {
		if pictured[n] != "" {
			t.Errorf("%s has a picture it should not", n)
		}
	}
	// Importing again fetches nothing and changes nothing.
	code, out, _ = runCmd(t, line(1, srv.URL+"/photo.jpg"), "import", "--db", db, "-")
	if code != 0 || !strings.Contains(out, "duplicates 1") || strings.Contains(out, "without its picture") {
		t.Errorf("re-import = %d:\n%s", code, out)
	}
}
