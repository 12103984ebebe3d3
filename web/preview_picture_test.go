package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestPreviewKeepsThePicture previews an unsaved story with an uploaded
// picture, its alt text, caption and credit: the preview shows them, and
// "Back to the editor" brings every one of them back, so that saving
// from there stores the picture with its words.
func TestPreviewKeepsThePicture(t *testing.T) {
	ts := newTestSite(t)
	b := editorOn(t, ts)
	form := storyFormValues()
	form.Set("title", "Lighthouse gets a new lamp")
	form.Set("image_alt", "The lamp room at dusk")
	form.Set("image_caption", "The new lamp, lit for the first time.")
	form.Set("image_credit", "Photo: Ann Keeper")
	form.Set("id", "0")
	resp, body := b.postMultipart("/admin/stories/new", "/admin/stories/preview", form, "lamp.png", pngOf(t, 1600, 900))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview = %d: %s", resp.StatusCode, body)
	}
	doc := parseDoc(t, body)
	if fc := doc.Find("article figure figcaption").Text(); !strings.Contains(fc, "The new lamp, lit for the first time.") || !strings.Contains(fc, "Photo: Ann Keeper") {
		t.Errorf("preview figcaption = %q", fc)
	}
	if alt, _ := doc.Find("article figure img").Attr("alt"); alt != "The lamp room at dusk" {
		t.Errorf("preview img alt = %q", alt)
	}

	back := url.Values{}
	doc.Find(".preview-banner form input").Each(func(_ int, in *goquery.Selection) {
		back.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	back.Set("back", "1")
	resp, body = b.do("POST", "/admin/stories/preview", back)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("back to the editor = %d", resp.StatusCode)
	}
	doc = parseDoc(t, body)
	imageID := doc.Find(`input[name=image_id]`).AttrOr("value", "")
	if !validImageID(imageID) || doc.Find(".image-preview img").Length() != 1 {
		t.Fatalf("the uploaded picture did not come back to the editor (image_id %q)", imageID)
	}
	for sel, want := range map[string]string{"#image_alt": form.Get("image_alt"), "#image_caption": form.Get("image_caption"),
		"#image_credit": form.Get("image_credit"), "#title": form.Get("title")} {
		if got := doc.Find(sel).AttrOr("value", ""); got != want {
			t.Errorf("editor %s = %q after the preview, want %q", sel, got, want)
		}
	}

	// Save from the editor as it came back: the picture and its words are stored.
	save := url.Values{}
	doc.Find("form.story-form input, form.story-form select").Each(func(_ int, in *goquery.Selection) {
		if name := in.AttrOr("name", ""); name != "" && in.AttrOr("type", "") != "file" && in.AttrOr("type", "") != "checkbox" {
			if in.Is("select") {
				save.Set(name, in.Find("option[selected]").AttrOr("value", ""))
			} else {
				save.Set(name, in.AttrOr("value", ""))
			}
		}
	})
	doc.Find("form.story-form textarea").Each(func(_ int, in *goquery.Selection) { save.Set(in.AttrOr("name", ""), in.Text()) })
	resp, body = b.do("POST", "/admin/stories", save)
	m := storyPath.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("save after the preview = %d → %q: %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	st, err := ts.db.StoryByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Image.ID != imageID || st.ImageAlt != form.Get("image_alt") || st.ImageCaption != form.Get("image_caption") || st.ImageCredit != form.Get("image_credit") {
		t.Errorf("saved picture %q alt %q caption %q credit %q", st.Image.ID, st.ImageAlt, st.ImageCaption, st.ImageCredit)
	}
}
