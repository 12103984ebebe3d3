package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"newsdesk/internal/ingest"
)

// now is the clock of every test store: a little after the fixture's
// newest story.
var now = time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)

func newTestDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return now }
	t.Cleanup(func() { db.Close() })
	return db
}

func importFile(t testing.TB, db *DB, path string) ingest.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := ingest.Import(context.Background(), deskOf(db), f, "")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestMigrationsRerun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	for i := range 2 {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		var n int
		if err := db.read.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		files, _ := fs.Glob(migrations, "migrations/*.sql")
		if n != len(files) || n < 2 {
			t.Errorf("open #%d: %d migrations recorded, want %d", i+1, n, len(files))
		}
		var mode string
		if err := db.read.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q (%v), want wal", mode, err)
		}
		db.Close()
	}
}

// A database file made before the 0600 rule, and its -wal and -shm files,
// are made owner-only when opened, and the store says which it changed.
func TestOpenTightensReadableFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Tightened) != 0 {
		t.Errorf("a new database reports %v tightened", db.Tightened)
	}
	if err := db.AddSection(context.Background(), "Kept"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, name := range []string{path + "-wal", path + "-shm"} {
		if _, err := os.Stat(name); os.IsNotExist(err) {
			// Closed cleanly, SQLite removed them: leave empty ones, as a
			// crashed or running process would leave its own.
			if err := os.WriteFile(name, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(name, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if len(db.Tightened) != 3 || db.Tightened[0].File != path || db.Tightened[0].Was != 0o644 {
		t.Errorf("Tightened = %+v, want the database, -wal and -shm, each once 0644", db.Tightened)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v after open, want -rw-------", filepath.Base(name), fi.Mode().Perm())
		}
	}
	list, err := db.AllSections(context.Background())
	if err != nil || len(list) != 1 || list[0].Name != "Kept" {
		t.Errorf("the reopened database lost its data: %v, %v", list, err)
	}
}

// A write by another process (another DB on the file) is news to
// pollVersion, which calls OnExternalWrite; a write through this DB is not.
func TestExternalWritesAreNoticed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	ctx := context.Background()
	here, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer here.Close()
	there, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer there.Close()
	calls := 0
	here.OnExternalWrite = func() { calls++ }
	if err := here.AddSection(ctx, "Here"); err != nil {
		t.Fatal(err)
	}
	if err := here.pollVersion(ctx); err != nil || calls != 0 {
		t.Fatalf("own write: %d calls, %v; want none", calls, err)
	}
	if err := there.AddSection(ctx, "There"); err != nil {
		t.Fatal(err)
	}
	if err := here.pollVersion(ctx); err != nil || calls != 1 {
		t.Errorf("another's write: %d calls, %v; want one", calls, err)
	}
}

// A write whose context ends stores nothing and says why, although its
// statements run without the context (writer.exec): database/sql rolls
// the transaction back, and the next statement or the commit fails.
func TestWriteStoppedByItsContext(t *testing.T) {
	db := newTestDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := db.dataTx(ctx, func(w *writer) error {
		if _, err := w.exec(ctx, "INSERT INTO settings (key, value) VALUES ('stopped', 'first')"); err != nil {
			return err
		}
		cancel()
		// database/sql rolls back on a goroutine of its own: statements
		// succeed until it has.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			if _, err := w.exec(ctx, "INSERT OR REPLACE INTO settings (key, value) VALUES ('stopped2', 'second')"); err != nil {
				return err
			}
			time.Sleep(time.Millisecond)
		}
		return errors.New("the transaction was not rolled back within 5 s")
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("dataTx = %v; want context.Canceled", err)
	}
	var n int
	if err := db.readQueryRow(context.Background(), "SELECT count(*) FROM settings WHERE key LIKE 'stopped%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows stored, %v; want none", n, err)
	}
	// The writer is free again.
	if err := db.dataTx(context.Background(), func(w *writer) error {
		_, err := w.exec(context.Background(), "INSERT INTO settings (key, value) VALUES ('after', 'ok')")
		return err
	}); err != nil {
		t.Fatalf("a write after the stopped one: %v", err)
	}
}
