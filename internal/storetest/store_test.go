// Package storetest is the behaviour both stores share, tested on each:
// every test here runs once on SQLite (a file in t.TempDir) and once on
// PostgreSQL (a fresh schema from pgtest, skipped loudly without a server,
// never in CI), writing through the application layer (internal/desk) as
// the program does.
package storetest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk/internal/desk"
	"newsdesk/internal/ingest"
	"newsdesk/internal/media"
	"newsdesk/internal/news"
	"newsdesk/internal/poll"
	"newsdesk/internal/postgres"
	"newsdesk/internal/postgres/pgtest"
	"newsdesk/internal/sqlite"
	"newsdesk/web"
)

// Store is what the tests use of a store: desk's persistence, the reads
// and writes of the web server's roles, feeds and pictures.
type Store interface {
	desk.Store
	web.Pages
	web.Settings
	web.Accounts
	web.Newsroom
	web.Comments
	web.SharedState
	web.ChangeLog
	poll.Store
	media.Store
	Close() error
	WatchVersion(ctx context.Context, interval time.Duration)
	StoryCount(ctx context.Context) (int, error)
	CreateFeed(ctx context.Context, f *news.Feed) error
	DeleteFeed(ctx context.Context, id int64) error
	DeleteUnusedImages(ctx context.Context, since time.Time) (int, error)
}

// searchCountCap is where both stores stop counting search matches.
const searchCountCap = 1000

// now is the clock of every test store: a little after the fixture's
// newest story.
var now = time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)

// fixture is the stories the search and related tests share with
// internal/sqlite's own tests.
const fixture = "../sqlite/testdata/fixture.ndjson"

// stores runs test once per store, as the subtests "sqlite" and
// "postgres"; newTestDB and reopener look at the subtest's name. Tests
// run in parallel: most of a PostgreSQL test's time is spent waiting for
// the server.
func stores(t *testing.T, test func(t *testing.T)) {
	t.Helper()
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, test)
	}
}

func isPostgres(t testing.TB) bool {
	return strings.HasSuffix(t.Name(), "/postgres") || strings.Contains(t.Name(), "/postgres/")
}

// reopener returns a function that opens the test's database, the same
// one each time it is called: a server restarting, or a second node.
func reopener(t testing.TB) func() Store { return reopenerOf(t, isPostgres(t)) }

// reopenerOf is reopener for a PostgreSQL (pg) or SQLite store.
func reopenerOf(t testing.TB, pg bool) func() Store {
	t.Helper()
	ctx := context.Background()
	if pg {
		dsn := pgtest.DSN(t)
		return func() Store {
			db, err := postgres.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			db.Now = func() time.Time { return now }
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close(context.Background()) })
			raw.Store(Store(db), func(query string, args ...any) scanner {
				n := 0
				query = regexp.MustCompile(`\?`).ReplaceAllStringFunc(query, func(string) string { n++; return "$" + strconv.Itoa(n) })
				return conn.QueryRow(ctx, query, args...)
			})
			rawWrites.Store(Store(db), func(query string) error { _, err := conn.Exec(ctx, query); return err })
			return db
		}
	}
	path := filepath.Join(t.TempDir(), "test.db")
	return func() Store {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		raw.Store(Store(db), func(query string, args ...any) scanner { return conn.QueryRow(query, args...) })
		rawWrites.Store(Store(db), func(query string) error {
			w, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
			if err != nil {
				return err
			}
			defer w.Close()
			_, err = w.Exec(query)
			return err
		})
		return db
	}
}

// raw holds, per store a test opened, a way to run SQL on its database
// directly: for the few tests that check what is stored.
var raw sync.Map // Store → func(query string, args ...any) scanner

type scanner interface{ Scan(...any) error }

// rawQueryRow runs query (with ? placeholders) on db's database.
func rawQueryRow(t testing.TB, db Store, query string, args ...any) scanner {
	t.Helper()
	f, ok := raw.Load(db)
	if !ok {
		t.Fatal("rawQueryRow: store not opened by reopener")
	}
	return f.(func(string, ...any) scanner)(query, args...)
}

// rawWrites holds, per store a test opened, a way to write to its
// database directly, as a program that knows nothing of the store would.
var rawWrites sync.Map // Store → func(query string) error

// rawExec runs statement query on db's database.
func rawExec(t testing.TB, db Store, query string) {
	t.Helper()
	f, ok := rawWrites.Load(db)
	if !ok {
		t.Fatal("rawExec: store not opened by reopener")
	}
	if err := f.(func(string) error)(query); err != nil {
		t.Fatal(err)
	}
}

// setClock sets the clock of db.
func setClock(db Store, now func() time.Time) {
	switch db := db.(type) {
	case *sqlite.DB:
		db.Now = now
	case *postgres.DB:
		db.Now = now
	}
}

// reopens holds how each store a test opened is opened again.
var reopens sync.Map // Store → func() Store

// reopenOf opens db's database again, as another process or node would;
// closed when the test ends.
func reopenOf(t testing.TB, db Store) Store {
	t.Helper()
	f, ok := reopens.Load(db)
	if !ok {
		t.Fatal("reopenOf: store not opened by newTestDB")
	}
	cp := f.(func() Store)()
	t.Cleanup(func() { cp.Close() })
	return cp
}

// newTestDB returns an empty store of the subtest's kind, closed when the
// test ends.
func newTestDB(t testing.TB) Store { return newTestDBOf(t, isPostgres(t)) }

// newTestDBOf is newTestDB for a PostgreSQL (pg) or SQLite store.
func newTestDBOf(t testing.TB, pg bool) Store {
	t.Helper()
	open := reopenerOf(t, pg)
	db := open()
	reopens.Store(db, open)
	t.Cleanup(func() { db.Close() })
	return db
}

// desks holds one application layer per store a test opened: one related
// index per database and process, as in the program.
var desks sync.Map

func deskOf(db Store) *desk.Desk {
	d, _ := desks.LoadOrStore(db, desk.New(db))
	return d.(*desk.Desk)
}

func importFile(t testing.TB, db Store, path string) ingest.Report {
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
