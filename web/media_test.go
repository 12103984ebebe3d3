package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"testing"

	"newsdesk/internal/media"
)

// testJPEG draws a w×h picture with a gradient and returns it as a JPEG.
func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestServeMedia(t *testing.T) {
	ts := newTestSite(t)
	res, err := media.Process(context.Background(), testJPEG(t, 700, 400))
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.db.SaveImage(context.Background(), res.Image, res.Files); err != nil {
		t.Fatal(err)
	}
	url := res.Image.URL(640)
	resp, body := ts.get(t, url)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", url, resp.StatusCode)
	}
	for k, want := range map[string]string{
		"Content-Type":           "image/jpeg",
		"Cache-Control":          "public, max-age=31536000, immutable",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader([]byte(body)))
	if err != nil || cfg.Width != 640 {
		t.Errorf("served file: %+v, %v; want a JPEG 640 wide", cfg, err)
	}

	req, _ := http.NewRequest("GET", ts.URL+url, nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if r2, err := ts.Client().Do(req); err != nil || r2.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET = %v, %v; want 304", r2.StatusCode, err)
	}

	for _, path := range []string{
		res.Image.URL(500), // a width not made
		"/media/" + res.Image.ID + "-640.png",
		"/media/0123456789abcdef0123456789abcdef-640.jpg",
		"/media/../../etc/passwd",
		"/media/" + res.Image.ID + "-0640.jpg",
	} {
		if resp, _ := ts.get(t, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}
