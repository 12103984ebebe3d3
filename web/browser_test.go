package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// liveSite runs the real server on 127.0.0.1 with the system clock, for a
// real browser.
func liveSite(t *testing.T) (string, *Server, testStore) {
	t.Helper()
	db, _ := openStore(t, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := New(Config{BaseURL: "http://127.0.0.1", PageCacheBytes: DefaultPageCacheBytes, ReadHeaderTimeout: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, storeOf(db))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return "http://" + ln.Addr().String(), srv, db
}

// newBrowser starts headless Chromium; without one the test is skipped
// locally and fails in CI, where .ci/run installs it.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium on PATH; .ci/run should have installed it")
		}
		t.Skip("no Chromium on PATH")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	// Not t.TempDir: Chromium may still be writing its cache while it
	// exits, and a leftover profile folder is no test failure.
	profile, err := os.MkdirTemp("", "newsdesk-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts = append(opts, chromedp.UserDataDir(profile))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelT()
		cancelC()
		cancelA()
		for range 10 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// artifacts returns the folder for screenshots, made if needed.
func artifacts(t *testing.T) string {
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBrowserNewsroomEndToEnd(t *testing.T) {
	base, srv, _ := liveSite(t)
	ctx := newBrowser(t)
	link := mustSetupLink(t, srv)

	var text, url string
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("setup first admin",
		chromedp.Navigate(base+link),
		chromedp.SendKeys("#email", "chief@example.com", chromedp.ByQuery),
		chromedp.SendKeys("#name", "Chief Editor", chromedp.ByQuery),
		chromedp.SendKeys("#password", "a long passphrase", chromedp.ByQuery),
		chromedp.Submit("#password", chromedp.ByQuery),
		chromedp.WaitVisible(`table`, chromedp.ByQuery),
		chromedp.Location(&url),
	)
	if !strings.HasSuffix(url, "/admin/stories") {
		t.Fatalf("after setup at %s", url)
	}
	// Log out and back in, as an editor would the next day.
	run("log out and in",
		chromedp.Click("form.logout button", chromedp.ByQuery),
		chromedp.WaitVisible("#email", chromedp.ByQuery),
		chromedp.SendKeys("#email", "chief@example.com", chromedp.ByQuery),
		chromedp.SendKeys("#password", "a long passphrase", chromedp.ByQuery),
		chromedp.Submit("#password", chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/admin/stories/new"]`, chromedp.ByQuery),
	)
	run("write a draft",
		chromedp.Navigate(base+"/admin/stories/new"),
		chromedp.SetValue("#title", "Lighthouse keepers return to Skerry Point", chromedp.ByQuery),
		chromedp.SetValue("#summary", "After forty years of automation, the lighthouse is staffed again.", chromedp.ByQuery),
		chromedp.SetValue("#body", "The lighthouse at Skerry Point has keepers again.\n\nTwo keepers moved in on Monday to run the new visitor centre.", chromedp.ByQuery),
		chromedp.SetValue("#tags", "lighthouse, coast", chromedp.ByQuery),
		chromedp.SetValue("#status", "draft", chromedp.ByQuery),
		chromedp.Submit("#title", chromedp.ByQuery),
		chromedp.WaitVisible(".notice--ok", chromedp.ByQuery),
		chromedp.Location(&url),
	)
	edit := strings.Split(url, "?")[0]
	dir := artifacts(t)
	var shot []byte
	for _, w := range []int64{1280, 375} {
		run("screenshot editor",
			chromedp.EmulateViewport(w, 900),
			chromedp.FullScreenshot(&shot, 100),
		)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("editor-%d.png", w)), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("preview the draft",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(edit+"/preview"),
		chromedp.Text("article h1", &text, chromedp.ByQuery),
	)
	if text != "Lighthouse keepers return to Skerry Point" {
		t.Errorf("preview h1 = %q", text)
	}
	// Readers cannot see a draft.
	if resp, _ := httpGet(t, base+"/articles/lighthouse-keepers-return-to-skerry-point"); resp != 404 {
		t.Errorf("draft visible to readers: %d", resp)
	}
	run("publish",
		chromedp.Navigate(edit),
		chromedp.SetValue("#status", "published", chromedp.ByQuery),
		chromedp.Submit("#title", chromedp.ByQuery),
		chromedp.WaitVisible(".notice--ok", chromedp.ByQuery),
		chromedp.Navigate(base+"/"),
		chromedp.Text(".card--lead h3", &text, chromedp.ByQuery),
	)
	if text != "Lighthouse keepers return to Skerry Point" {
		t.Errorf("front page lead = %q", text)
	}
	run("edit",
		chromedp.Navigate(edit),
		chromedp.SetValue("#title", "Keepers return to Skerry Point lighthouse", chromedp.ByQuery),
		chromedp.Submit("#title", chromedp.ByQuery),
		chromedp.WaitVisible(".notice--ok", chromedp.ByQuery),
		chromedp.Navigate(base+"/articles/lighthouse-keepers-return-to-skerry-point"),
		chromedp.Text("article h1", &text, chromedp.ByQuery),
	)
	if text != "Keepers return to Skerry Point lighthouse" {
		t.Errorf("article after edit = %q", text)
	}
	var revs int
	run("restore revision 2",
		chromedp.Navigate(edit+"/revisions"),
		chromedp.Evaluate(`document.querySelectorAll("table tbody tr").length`, &revs),
		chromedp.Click(`form[action$="/revisions/2/restore"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(".notice--ok", chromedp.ByQuery),
		chromedp.Value("#title", &text, chromedp.ByQuery),
	)
	if revs != 3 || text != "Lighthouse keepers return to Skerry Point" {
		t.Errorf("revisions = %d, title after restore %q", revs, text)
	}
	run("trash",
		chromedp.Navigate(edit),
		chromedp.Click(`form[action$="/trash"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//p[contains(., "moved to the trash")]`, chromedp.BySearch),
	)
	if resp, _ := httpGet(t, base+"/articles/lighthouse-keepers-return-to-skerry-point"); resp != 404 {
		t.Errorf("trashed story = %d, want 404", resp)
	}
	run("restore from trash",
		chromedp.Navigate(base+"/admin/stories?trash=1"),
		chromedp.Click(`form[action$="/restore"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//p[contains(., "Story restored")]`, chromedp.BySearch),
	)
	if resp, body := httpGet(t, base+"/articles/lighthouse-keepers-return-to-skerry-point"); resp != 200 || !strings.Contains(body, "Skerry Point") {
		t.Errorf("restored story = %d", resp)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := httpClient.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
