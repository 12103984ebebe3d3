package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"newsdesk/internal/desk"
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

// newDB creates an empty database file, as serve or import would.
func newDB(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return path
}

func TestUserAdd(t *testing.T) {
	db := newDB(t, "u.db")
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
	dk := desk.New(db)
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
			if _, err := dk.UpsertStories(ctx, []*news.Story{s}); err != nil {
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

// Only serve and import create a database: a mistyped --db for backup or
// user add says the file does not exist and leaves nothing behind.
func TestMistypedDBIsNotCreated(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "newsdeks.db")
	for _, args := range [][]string{
		{"backup", "--db", missing, filepath.Join(dir, "out.db")},
		{"user", "add", "--db", missing, "--email", "ed@example.com", "--name", "Ed"},
	} {
		code, out, err := runCmd(t, "a fine password\n", args...)
		if code != 1 || err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("%s on a missing database = %d, %v %s; want exit 1 saying it does not exist", args[0], code, err, out)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("%s left files behind: %v", args[0], entries)
		}
	}
	// import creates one.
	in := `{"title":"One","body":"Body one.","published_at":"2026-03-15T10:00:00Z","url":"https://w.example/1"}`
	if code, out, err := runCmd(t, in, "import", "--db", missing, "-"); code != 0 || err != nil {
		t.Fatalf("import into a new database = %d %v %s", code, err, out)
	}
	if code, out, err := runCmd(t, "a fine password\n", "user", "add", "--db", missing, "--email", "ed@example.com", "--name", "Ed"); code != 0 || err != nil {
		t.Errorf("user add after import = %d %v %s", code, err, out)
	}
}

// The database, its -wal and -shm files and backups hold password hashes
// and the site's secret: only their owner may read them.
func TestDatabaseFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "site.db")
	in := `{"title":"One","body":"Body one.","published_at":"2026-03-15T10:00:00Z","url":"https://w.example/1"}`
	if code, out, err := runCmd(t, in, "import", "--db", path, "-"); code != 0 || err != nil {
		t.Fatalf("import = %d %v %s", code, err, out)
	}
	// Keep a connection open so that the -wal and -shm files exist.
	db, err := sqlite.OpenExisting(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateUser(context.Background(), &news.User{Email: "a@example.com", Name: "A", Role: news.RoleAdmin}, "a fine password"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	if code, out, err := runCmd(t, "", "backup", "--db", path, backup); code != 0 || err != nil {
		t.Fatalf("backup = %d %v %s", code, err, out)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", backup} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %v, want -rw-------", filepath.Base(p), mode)
		}
	}
}

func TestListenURL(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{":8080", "http://localhost:8080"},
		{"0.0.0.0:9000", "http://localhost:9000"},
		{"[::]:9000", "http://localhost:9000"},
		{"127.0.0.1:8081", "http://127.0.0.1:8081"},
		{"[::1]:8081", "http://[::1]:8081"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := listenURL(addr); got != tt.want {
			t.Errorf("listenURL(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a server's log and a test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Without --base-url the setup link names the address actually listened on.
func TestSetupLinkUsesListenAddress(t *testing.T) {
	t.Setenv("NEWSDESK_BASE_URL", "")
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		_, err := run(ctx, []string{"serve", "--no-demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "s.db")},
			strings.NewReader(""), io.Discard, &logs)
		done <- err
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	link := regexp.MustCompile(`"url":"(http://[^"]+/admin/setup\?token=[^"]+)"`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m = link.FindStringSubmatch(logs.String())
	}
	if m == nil {
		t.Fatalf("no setup link logged:\n%s", logs.String())
	}
	if !strings.HasPrefix(m[1], "http://127.0.0.1:") || strings.HasPrefix(m[1], "http://127.0.0.1:8080/") {
		t.Fatalf("setup link %s does not name the address listened on", m[1])
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d, want the setup page", m[1], resp.StatusCode)
	}
}

// An item that names no publisher, imported with no --source, is filed
// under the site's name (NEWSDESK_SITE_NAME), passed down as an option.
func TestImportFilesUnnamedItemsUnderTheSiteName(t *testing.T) {
	t.Setenv("NEWSDESK_SITE_NAME", "Daily Planet")
	path := filepath.Join(t.TempDir(), "s.db")
	in := `{"title":"One","body":"Body one.","published_at":"2026-03-15T10:00:00Z","url":"https://w.example/1"}`
	if code, out, err := runCmd(t, in, "import", "--db", path, "-"); code != 0 || err != nil {
		t.Fatalf("import = %d %v %s", code, err, out)
	}
	db, err := sqlite.OpenExisting(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srcs, err := db.AllSources(context.Background())
	if err != nil || len(srcs) != 1 || srcs[0].Name != "Daily Planet" {
		t.Errorf("sources = %v, %v; want Daily Planet", srcs, err)
	}
}

// TestUserAddErrorsNameFlags checks that a refused user add names the
// flags to fix, not a web form's "highlighted fields".
func TestUserAddErrorsNameFlags(t *testing.T) {
	db := newDB(t, "u.db")
	code, out, err := runCmd(t, "a fine password\n", "user", "add", "--db", db, "--email", "not an address", "--name", "Ed")
	if code != 1 || err == nil {
		t.Fatalf("user add with a bad email = %d %v", code, err)
	}
	msg := out + err.Error()
	if !strings.Contains(msg, "--email: ") || strings.Contains(msg, "highlighted") || strings.Contains(msg, "marked below") {
		t.Errorf("user add error = %q, want the flag named and no web-form wording", msg)
	}
}

// A database made before the 0600 rule is made owner-only by serve, which
// logs that it did.
func TestServeTightensAnOldDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	in := `{"title":"One","body":"Body one.","published_at":"2026-03-15T10:00:00Z","url":"https://w.example/1"}`
	if code, out, err := runCmd(t, in, "import", "--db", path, "-"); code != 0 || err != nil {
		t.Fatalf("import = %d %v %s", code, err, out)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		_, err := run(ctx, []string{"serve", "--no-demo", "--addr", "127.0.0.1:0", "--db", path}, strings.NewReader(""), io.Discard, &logs)
		done <- err
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), `"msg":"serving"`) && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if !strings.Contains(logs.String(), `readable by its owner only","file":"`+path+`","was":"-rw-r--r--","now":"-rw-------"`) {
		t.Errorf("serve did not log making %s owner-only:\n%s", path, logs.String())
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("after serve opened it, the database is %v (%v), want -rw-------", fi.Mode().Perm(), err)
	}
	// The commands that only open a database say so too.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if code, out, err := runCmd(t, "", "feeds", "list", "--db", path); code != 0 || err != nil {
		t.Fatalf("feeds list = %d %v %s", code, err, out)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("after feeds list the database is %v, want -rw-------", fi.Mode().Perm())
	}
}

// On a terminal a long import shows how far it is, then clears the line
// so that the summary stands alone; piped, it shows nothing (runCmd).
func TestImportProgress(t *testing.T) {
	dir := t.TempDir()
	var in strings.Builder
	for i := range 1200 {
		fmt.Fprintf(&in, `{"title":"Story %d","body":"Body of story %d.","published_at":"2026-03-15T10:00:00Z","url":"https://w.example/%d"}`+"\n", i, i, i)
	}
	path := filepath.Join(dir, "in.ndjson")
	if err := os.WriteFile(path, []byte(in.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var progress bytes.Buffer
	rep, err := importOne(context.Background(), desk.New(db), newFetcher(false), path, "Wire", nil, &progress)
	if err != nil || rep.Added != 1200 {
		t.Fatalf("import: %v, %v", rep, err)
	}
	got := progress.String()
	if !strings.HasPrefix(got, "\rimported 500 stories, ") || !strings.Contains(got, "% read, about ") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("progress = %q", got)
	}
	if _, out, _ := runCmd(t, "", "import", "--db", filepath.Join(dir, "q.db"), path); strings.Contains(out, "\r") || !strings.HasPrefix(out, "added 1200, updated 0") {
		t.Errorf("piped import printed %q", out)
	}
}
