package web

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color/palette"
	"image/gif"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"newsdesk/internal/news"
)

// postMultipart submits form and, when data is not nil, a file in field
// "image", as the story editor does, with a valid CSRF token from the
// page from.
func (b *browser) postMultipart(from, path string, form url.Values, filename string, data []byte) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	form.Set("_csrf", b.token(from))
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if data != nil {
		w, _ := mw.CreateFormFile("image", filename)
		w.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.ts.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

func editorOn(t *testing.T, ts *testSite) *browser {
	addUser(t, ts, "ed@example.com", news.RoleEditor)
	b := ts.browser(t)
	b.login("ed@example.com")
	return b
}

func parseDoc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var storyPath = regexp.MustCompile(`^/admin/stories/(\d+)\?done=`)

func TestUploadLeadImage(t *testing.T) {
	ts := newTestSite(t)
	b := editorOn(t, ts)
	form := storyFormValues()
	form.Set("title", "Bridge opens with a picture")
	form.Set("published_at", now.Add(-30*60e9).Format(formTime)) // the newest story: the front page's lead
	form.Set("image_alt", "The bridge at dawn")
	form.Set("image_caption", "Crowds on the new bridge.")
	form.Set("image_credit", "Photo: Ann")
	resp, body := b.postMultipart("/admin/stories/new", "/admin/stories", form, "bridge.jpg", testJPEG(t, 2000, 1200))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload = %d: %s", resp.StatusCode, body)
	}
	m := storyPath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	st, err := ts.db.StoryByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Image.ID == "" || st.Image.Width != 1920 || st.Image.Height != 1152 {
		t.Fatalf("stored image %+v, want 1920x1152", st.Image)
	}

	doc := ts.page(t, "/articles/"+st.Slug, http.StatusOK)
	img := doc.Find("article figure img")
	if img.Length() != 1 {
		t.Fatalf("%d lead images in the article", img.Length())
	}
	for attr, want := range map[string]string{"width": "1920", "height": "1152", "alt": "The bridge at dawn", "fetchpriority": "high"} {
		if v, _ := img.Attr(attr); v != want {
			t.Errorf("img %s = %q, want %q", attr, v, want)
		}
	}
	if _, lazy := img.Attr("loading"); lazy {
		t.Error("the lead image is lazy-loaded")
	}
	srcset, _ := img.Attr("srcset")
	if n := strings.Count(srcset, "w,") + 1; n != 5 || !strings.Contains(srcset, st.Image.URL(1920)+" 1920w") {
		t.Errorf("srcset = %q, want five widths", srcset)
	}
	if sizes, _ := img.Attr("sizes"); sizes == "" {
		t.Error("no sizes")
	}
	if fc := doc.Find("article figure figcaption").Text(); !strings.Contains(fc, "Crowds on the new bridge.") || !strings.Contains(fc, "Photo: Ann") {
		t.Errorf("figcaption = %q", fc)
	}
	og, _ := doc.Find(`meta[property="og:image"]`).Attr("content")
	if og != "https://news.example"+st.Image.URL(1280) {
		t.Errorf("og:image = %q, want the absolute 1280-pixel file", og)
	}
	if card, _ := doc.Find(`meta[name="twitter:card"]`).Attr("content"); card != "summary_large_image" {
		t.Errorf("twitter:card = %q", card)
	}
	if alt, _ := doc.Find(`meta[name="twitter:image:alt"]`).Attr("content"); alt != "The bridge at dawn" {
		t.Errorf("twitter:image:alt = %q, want the picture's alt text", alt)
	}
	if ld := doc.Find(`script[type="application/ld+json"]`).Text(); !strings.Contains(ld, `"image":[{"@type":"ImageObject"`) {
		t.Errorf("JSON-LD has no image: %s", ld)
	}
	// The files are served.
	for _, w := range st.Image.Widths() {
		if resp, _ := ts.get(t, st.Image.URL(w)); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", st.Image.URL(w), resp.StatusCode)
		}
	}

	// Front page: the lead story's large picture, loaded first.
	front := ts.page(t, "/", http.StatusOK)
	lead := front.Find(".card--lead img.card__image")
	if v, _ := lead.Attr("fetchpriority"); lead.Length() != 1 || v != "high" {
		t.Errorf("front lead picture: %d, fetchpriority %q", lead.Length(), v)
	}
	// Lists: a thumbnail, sized and lazy.
	list := ts.page(t, "/sections/world", http.StatusOK)
	thumb := list.Find(`.card img.card__thumb[src^="/media/` + st.Image.ID + `"]`)
	if thumb.Length() != 1 {
		t.Fatal("no thumbnail on the section page")
	}
	for attr, want := range map[string]string{"width": "120", "height": "80", "loading": "lazy", "alt": "The bridge at dawn"} {
		if v, _ := thumb.Attr(attr); v != want {
			t.Errorf("thumbnail %s = %q, want %q", attr, v, want)
		}
	}
	// The Atom feed carries it.
	if _, feed := ts.get(t, "/feed.xml"); !strings.Contains(feed, `rel="enclosure" type="image/jpeg" href="https://news.example`+st.Image.URL(1280)+`"`) {
		t.Error("the feed entry has no image enclosure")
	}

	// Replacing the picture removes the old one from the site.
	old := st.Image
	form = url.Values{}
	for k, v := range map[string]string{"title": st.Title, "body": st.Body, "source": "Newsdesk", "status": "published",
		"published_at": st.PublishedAt.Format(formTime), "section": "World", "revision": strconv.Itoa(st.Revision),
		"image_id": st.Image.ID, "image_alt": "A new picture"} {
		form.Set(k, v)
	}
	path := "/admin/stories/" + m[1]
	if resp, body := b.postMultipart(path, path, form, "new.png", pngOf(t, 800, 500)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("replace = %d: %s", resp.StatusCode, body)
	}
	if resp, _ := ts.get(t, old.URL(640)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the replaced picture is still served: %d", resp.StatusCode)
	}
	st, _ = ts.db.StoryByID(t.Context(), id)
	if st.Image.ID == old.ID || st.Image.Width != 800 {
		t.Errorf("picture after replacing: %+v", st.Image)
	}
	// Removing it.
	form.Set("revision", strconv.Itoa(st.Revision))
	form.Set("image_id", st.Image.ID)
	form.Set("remove_image", "1")
	form.Set("image_alt", "")
	if resp, body := b.postMultipart(path, path, form, "", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove = %d: %s", resp.StatusCode, body)
	}
	if resp, _ := ts.get(t, st.Image.URL(320)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the removed picture is still served: %d", resp.StatusCode)
	}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	data := testJPEG(t, w, h)
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := encodePNG(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBadUploadsKeepTheForm(t *testing.T) {
	ts := newTestSite(t)
	b := editorOn(t, ts)
	good := testJPEG(t, 400, 300)
	polyglot := append(append([]byte{}, good[:len(good)-2]...), "<html><body><script>alert(1)</script></body></html>\xff\xd9"...)
	// A PNG header claiming 30000×30000 pixels and nothing else.
	ihdr := append([]byte("IHDR"), 0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 6, 0, 0, 0)
	bomb := binary.BigEndian.AppendUint32(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...), crc32.ChecksumIEEE(ihdr))
	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"truncated JPEG", "a.jpg", good[:len(good)/2], "damaged or incomplete"},
		{"PNG claiming 30000x30000", "bomb.png", bomb, "30000×30000"},
		{"SVG with script", "x.jpg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "SVG"},
		{"polyglot", "p.jpg", polyglot, "HTML or script"},
		{"25 MB file", "big.jpg", append(append([]byte{}, good...), make([]byte, 25<<20)...), "limit is 20 MB"},
	} {
		form := storyFormValues()
		form.Set("title", "Kept title "+tc.name)
		form.Set("body", "Body kept <b>as typed</b>")
		form.Set("image_alt", "Alt kept")
		form.Set("image_caption", "Caption kept")
		resp, body := b.postMultipart("/admin/stories/new", "/admin/stories", form, tc.file, tc.data)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tc.name, resp.StatusCode)
			continue
		}
		doc := parseDoc(t, body)
		if msg := doc.Find("#image-error").Text(); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error next to the file field %q, want it to mention %q", tc.name, msg, tc.want)
		}
		for field, want := range map[string]string{"title": "Kept title " + tc.name, "image_alt": "Alt kept", "image_caption": "Caption kept"} {
			if v, _ := doc.Find("input#" + field).Attr("value"); v != want {
				t.Errorf("%s: %s = %q, want %q", tc.name, field, v, want)
			}
		}
		if got := doc.Find("textarea#body").Text(); got != "Body kept <b>as typed</b>" {
			t.Errorf("%s: body = %q", tc.name, got)
		}
	}
	// A GIF of 10,000 frames gives its first frame, at no cost.
	g := &gif.GIF{}
	for range 10_000 {
		g.Image = append(g.Image, image.NewPaletted(image.Rect(0, 0, 8, 8), palette.Plan9[:4]))
		g.Delay = append(g.Delay, 1)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	form := storyFormValues()
	form.Set("image_alt", "An animation")
	if resp, body := b.postMultipart("/admin/stories/new", "/admin/stories", form, "anim.gif", buf.Bytes()); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("10,000-frame GIF = %d: %s", resp.StatusCode, body)
	}
	if resp, _ := ts.get(t, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("server unwell after bad uploads: %d", resp.StatusCode)
	}
}

func TestUploadWithoutAltIsKeptForTheNextTry(t *testing.T) {
	ts := newTestSite(t)
	b := editorOn(t, ts)
	form := storyFormValues()
	resp, body := b.postMultipart("/admin/stories/new", "/admin/stories", form, "a.jpg", testJPEG(t, 900, 600))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("upload without alt = %d, want 422", resp.StatusCode)
	}
	doc := parseDoc(t, body)
	if doc.Find("#image_alt-error").Length() == 0 {
		t.Error("no error next to the alt text")
	}
	id, ok := doc.Find(`input[name="image_id"]`).Attr("value")
	if !ok || len(id) != 32 {
		t.Fatalf("the uploaded picture is not kept in the form (image_id %q)", id)
	}
	if doc.Find(".image-preview img").Length() != 1 {
		t.Error("no preview of the kept picture")
	}
	// Sending the form again with alt text, and without the file, saves it.
	form.Set("image_id", id)
	form.Set("image_alt", "A harbour")
	if resp, body := b.postMultipart("/admin/stories/new", "/admin/stories", form, "", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second try = %d: %s", resp.StatusCode, body)
	}
	st, err := ts.db.StoryBySlug(t.Context(), "harbour-bridge-opens")
	if err != nil || st.Image.ID != id {
		t.Errorf("saved story image = %+v, %v; want %s", st, err, id)
	}
}

func encodePNG(w io.Writer, m image.Image) error { return png.Encode(w, m) }
