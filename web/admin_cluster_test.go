package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestEditorSplitsAndMergesClusters(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	addUser(t, ts, "ed@example.com", "editor")
	b := ts.browser(t)
	b.login("ed@example.com")
	wire, err := ts.db.StoryBySlug(ctx, "vltava-floods-prague-old-town-as-river-bursts-its-banks")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ts.db.StoryBySlug(ctx, "river-bursts-banks-and-floods-prague-old-town")
	if err != nil {
		t.Fatal(err)
	}
	page := "/admin/stories/" + strconv.FormatInt(wire.ID, 10) + "/cluster"
	resp, body := b.do("GET", page, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Continental Press") || !strings.Contains(body, "lede ") {
		t.Fatalf("GET %s = %d, want both versions with their evidence", page, resp.StatusCode)
	}
	copyPath := "/admin/stories/" + strconv.FormatInt(cp.ID, 10) + "/cluster"

	// Choose the copy as lead: the front page card becomes the copy.
	if resp, _ := b.post(page, copyPath+"/lead", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("lead = %d", resp.StatusCode)
	}
	_, front := ts.get(t, "/")
	if !strings.Contains(front, `href="/articles/`+cp.Slug+`"`) || strings.Contains(front, `href="/articles/`+wire.Slug+`"`) {
		t.Error("the chosen lead does not stand for the story on the front page")
	}

	// Split: two cards.
	if resp, _ := b.post(page, copyPath+"/split", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("split = %d", resp.StatusCode)
	}
	_, front = ts.get(t, "/")
	if !strings.Contains(front, `href="/articles/`+cp.Slug+`"`) || !strings.Contains(front, `href="/articles/`+wire.Slug+`"`) {
		t.Error("after the split the front page does not show both stories")
	}
	_, body = b.do("GET", page, nil)
	if !strings.Contains(body, "ed split out") {
		t.Error("the split is not recorded with the editor's name")
	}

	// A merge naming no story is refused, keeping what was typed.
	resp, body = b.post(page, page+"/merge", url.Values{"with": {"no-such-story"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="no-such-story"`) {
		t.Errorf("bad merge = %d, want 422 with the value kept", resp.StatusCode)
	}
	// Merge back by the copy's address.
	if resp, _ := b.post(page, page+"/merge", url.Values{"with": {"https://news.example/articles/" + cp.Slug}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("merge = %d", resp.StatusCode)
	}
	_, front = ts.get(t, "/")
	if strings.Contains(front, `href="/articles/`+cp.Slug+`"`) == strings.Contains(front, `href="/articles/`+wire.Slug+`"`) {
		t.Error("after the merge the front page does not show one card")
	}
}
