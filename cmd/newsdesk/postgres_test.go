package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsdesk/internal/postgres/pgtest"
)

// The commands take a postgres:// DSN for --db: import, user add, feeds
// and serve work on PostgreSQL, and backup names pg_dump instead.
func TestCommandsOnPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	in := `{"title":"Harbour cranes return","body":"The cranes are back at the harbour.","published_at":"2026-03-15T10:00:00Z","url":"https://w.example/1"}
{"title":"Ferry timetable changes","body":"Ferries leave earlier from Monday.","published_at":"2026-03-15T11:00:00Z","url":"https://w.example/2"}
`
	code, out, err := runCmd(t, in, "import", "--db", dsn, "--source", "Wire", "-")
	if err != nil || code != 0 || !strings.Contains(out, "added 2, updated 0, duplicates 0, rejected 0") {
		t.Fatalf("import = %d, %v:\n%s", code, err, out)
	}
	code, out, err = runCmd(t, "a fine password\n", "user", "add", "--db", dsn, "--email", "ed@example.com", "--name", "Ed", "--role", "admin")
	if code != 0 || err != nil || !strings.Contains(out, "created admin ed@example.com") {
		t.Fatalf("user add = %d %v %q", code, err, out)
	}
	if code, out, err := runCmd(t, "", "feeds", "list", "--db", dsn); code != 0 || err != nil {
		t.Errorf("feeds list = %d %v %q", code, err, out)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if code, _, err := runCmd(t, "", "backup", "--db", dsn, backup); code == 0 || err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup on PostgreSQL = %d, %v; want a refusal naming pg_dump", code, err)
	}
	if _, err := os.Stat(backup); err == nil {
		t.Error("backup on PostgreSQL left a file behind")
	}
	site := startServe(t, "--db", dsn)
	if page := getPage(t, site+"/search?q=harbour"); !strings.Contains(page, "cranes return") {
		t.Errorf("search on the PostgreSQL site lacks the imported story:\n%.2000s", page)
	}
	if page := getPage(t, site+"/"); !strings.Contains(page, "Ferry timetable changes") {
		t.Errorf("front page lacks the imported story")
	}
}
