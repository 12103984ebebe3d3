package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlite"
)

func runCmd(t *testing.T, stdin string, args ...string) (int, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	code, err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String() + errb.String(), err
}

func TestImportCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "i.db")
	in := `{"title":"One","body":"Body one.","published_at":"2026-03-15T10:00:00Z","url":"https://w.example/1"}
not json
{"title":"Two","body":"Body two.","published_at":"yesterday"}
{"title":"Three","body":"Body three.","published_at":"2026-03-15T11:00:00Z","url":"https://w.example/3"}
`
	code, out, err := runCmd(t, in, "import", "--db", db, "--source", "Wire", "-")
	if err != nil || code != 1 {
		t.Fatalf("import = %d, %v", code, err)
	}
	for _, want := range []string{"added 2, updated 0, duplicates 0, rejected 2", "line 2: not valid JSON", "line 3: published_at"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	good := strings.Join([]string{strings.Split(in, "\n")[0], strings.Split(in, "\n")[3]}, "\n")
	code, out, _ = runCmd(t, good, "import", "--db", db, "--source", "Wire", "-")
	if code != 0 || !strings.Contains(out, "added 0, updated 0, duplicates 2, rejected 0") {
		t.Errorf("re-import = %d:\n%s", code, out)
	}
}

func TestVersionAndUsage(t *testing.T) {
	if code, out, _ := runCmd(t, "", "version"); code != 0 || !strings.HasPrefix(out, "newsdesk ") {
		t.Errorf("version = %d %q", code, out)
	}
	if code, _, err := runCmd(t, "", "frobnicate"); code != 2 || err == nil {
		t.Errorf("unknown command = %d, %v", code, err)
	}
}

func TestUserAdd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	code, out, err := runCmd(t, "a fine password\n", "user", "add", "--db", db, "--email", "ed@example.com", "--name", "Ed", "--role", "admin")
	if code != 0 || err != nil || !strings.Contains(out, "created admin ed@example.com") {
		t.Fatalf("user add = %d %v %q", code, err, out)
	}
	if code, _, _ := runCmd(t, "short\n", "user", "add", "--db", db, "--email", "x@example.com", "--name", "X"); code != 1 {
		t.Errorf("short password accepted")
	}
	if code, _, _ := runCmd(t, "a fine password\n", "user", "add", "--db", db, "--email", "ed@example.com", "--name", "Ed"); code != 1 {
		t.Errorf("duplicate email accepted")
	}
}

// A backup taken while another connection writes is consistent, and a
// server can run on it as it is.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	written := make(chan struct{}) // closed once the first story is committed
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			if i == 1 {
				close(written)
			}
			select {
			case <-stop:
				return
			default:
			}
			s := &news.Story{Title: "Story number " + strings.Repeat("i", i%50+1), Body: "Body.", Source: news.Source{Name: "W"},
				GUID: "g" + time.Now().Format(time.RFC3339Nano), Status: news.StatusPublished, PublishedAt: time.Now()}
			if _, err := db.UpsertStories(ctx, []*news.Story{s}); err != nil {
				t.Error(err)
				if i == 0 {
					close(written)
				}
				return
			}
			time.Sleep(time.Millisecond) // a busy newsroom, not a tight loop
		}
	}()
	<-written
	time.Sleep(100 * time.Millisecond) // let writes go on while the backup runs
	backup := filepath.Join(dir, "backup.db")
	code, out, err := runCmd(t, "", "backup", "--db", path, backup)
	close(stop)
	wg.Wait()
	if code != 0 || err != nil {
		t.Fatalf("backup = %d %v %s", code, err, out)
	}
	if code, _, _ := runCmd(t, "", "backup", "--db", path, backup); code == 0 {
		t.Error("backup overwrote an existing file")
	}
	// Restore: open the copy as the database.
	restored, err := sqlite.Open(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	n, err := restored.StoryCount(ctx)
	if err != nil || n == 0 {
		t.Fatalf("restored copy has %d stories, %v", n, err)
	}
	if ok, err := restored.IntegrityCheck(ctx); err != nil || !ok {
		t.Errorf("integrity check of the backup: %v %v", ok, err)
	}
	if _, err := os.Stat(backup + "-wal"); err == nil {
		if fi, _ := os.Stat(backup + "-wal"); fi.Size() > 0 && n == 0 {
			t.Error("backup depends on a WAL file")
		}
	}
}
