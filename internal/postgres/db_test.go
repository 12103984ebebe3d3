package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk/internal/news"
	"newsdesk/internal/postgres/pgtest"
)

// now is the clock of every test store: a little after the fixture's
// newest story (the same as internal/sqlite's tests).
var now = time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)

func newTestDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return now }
	t.Cleanup(func() { db.Close() })
	return db
}

// Three nodes starting together on an empty database migrate it once:
// each migration is recorded once and every node opens.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	dbs := make([]*DB, 3)
	errs := make([]error, 3)
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = Open(ctx, dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: Open: %v", i, err)
		}
		defer dbs[i].Close()
	}
	var n, distinct int
	if err := dbs[0].pool.QueryRow(ctx, "SELECT count(*), count(DISTINCT name) FROM schema_migrations").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	files, _ := migrations.ReadDir("migrations")
	if n != len(files) || distinct != n {
		t.Errorf("schema_migrations has %d rows (%d distinct), want one per migration (%d)", n, distinct, len(files))
	}
	// Opening again finds nothing to do.
	again, err := Open(ctx, dsn)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	again.Close()
	for i, db := range dbs {
		if err := db.Ping(ctx); err != nil {
			t.Errorf("node %d: Ping: %v", i, err)
		}
	}
}

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{"x = '?' AND y = ?", "x = '?' AND y = $1"},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A write that readers see raises the version on every node.
func TestVersionSeenByOtherNode(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	a, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	before := b.Version()
	if err := a.transact(ctx, func(*tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if a.Version() <= before {
		t.Errorf("writer's version %d, want above %d", a.Version(), before)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Version() != a.Version() {
		t.Errorf("other node's version %d after Refresh, want %d", b.Version(), a.Version())
	}
}

// notFound never takes its sentence for a format.
func TestNotFoundKeepsPercent(t *testing.T) {
	if err := notFound(pgx.ErrNoRows, "Story %q not found.", "100%-pure"); news.ErrorMessage(err) != `Story "100%-pure" not found.` {
		t.Errorf("not found: %q", news.ErrorMessage(err))
	}
	if err := notFound(errors.New("disk I/O error"), "Story %q not found.", "100%s-%d"); err.Error() != `story "100%s-%d" not found: disk I/O error` {
		t.Errorf("other error: %q", err.Error())
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"newsdesk.db", "newsdesk.db"},
		{"postgres://u:secret@h:5432/db?sslmode=disable", "postgres://u:xxxxx@h:5432/db?sslmode=disable"},
		{"postgresql://h/db?password=secret", "postgresql://h/db?password=xxxxx"},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
