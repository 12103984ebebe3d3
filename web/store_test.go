package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"newsdesk/internal/desk"
	"newsdesk/internal/news"
	"newsdesk/internal/poll"
	"newsdesk/internal/postgres"
	"newsdesk/internal/postgres/pgtest"
	"newsdesk/internal/sqlite"
)

// envStore names the environment variable that picks the store the web
// tests run on: "sqlite" (unset: the default) or "postgres", a fresh
// schema per test on the server pgtest finds. `make test` runs the
// package on each.
const envStore = "NEWSDESK_TEST_STORE"

// onPostgres is whether this run tests the PostgreSQL store.
var onPostgres bool

// chooseStore reads envStore, in TestMain. A run that asks for
// PostgreSQL requires a server: without one it fails at once, never
// skipping.
func chooseStore() error {
	switch kind := os.Getenv(envStore); kind {
	case "", "sqlite":
	case "postgres":
		onPostgres = true
		if err := pgtest.Reachable(); err != nil {
			return fmt.Errorf("%s=postgres: %w", envStore, err)
		}
	default:
		return fmt.Errorf("%s=%q: want sqlite or postgres", envStore, kind)
	}
	return nil
}

// testStore is what the tests use of a store: *sqlite.DB and
// *postgres.DB are both one. It is the server's Store without the story
// writes (desk makes those, see storeOf), desk's persistence, the change
// log and feeds the server looks for, and what tests check directly.
type testStore interface {
	Pages
	Settings
	Accounts
	Newsroom
	Comments
	SharedState
	ChangeLog
	FeedStore
	poll.Store
	desk.Store
	Close() error
	StoryCount(ctx context.Context) (int, error)
	WatchVersion(ctx context.Context, interval time.Duration)
	SaveImage(ctx context.Context, im news.Image, files []news.ImageFile) error
	Image(ctx context.Context, id string) (news.Image, error)
	ImagesByURL(ctx context.Context, urls []string) (map[string]news.Image, error)
}

var (
	_ testStore = (*sqlite.DB)(nil)
	_ testStore = (*postgres.DB)(nil)
)

// openStore returns an empty store of the kind this run tests, whose
// clock is clock, closed when t ends; reopen opens its database again, as
// another process or node would.
func openStore(t testing.TB, clock func() time.Time) (db testStore, reopen func() testStore) {
	t.Helper()
	ctx := context.Background()
	var open func() testStore
	if onPostgres {
		dsn := pgtest.DSN(t)
		open = func() testStore {
			db, err := postgres.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			db.Now = clock
			return db
		}
	} else {
		path := filepath.Join(t.TempDir(), "web.db")
		open = func() testStore {
			db, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			db.Now = clock
			return db
		}
	}
	reopen = func() testStore {
		t.Helper()
		db := open()
		t.Cleanup(func() { db.Close() })
		return db
	}
	return reopen(), reopen
}

// sqliteOnly skips a test on the PostgreSQL run: why says what it checks
// that only an SQLite database file has.
func sqliteOnly(t testing.TB, why string) {
	t.Helper()
	if onPostgres {
		t.Skipf("SQLite only: %s", why)
	}
}

// desks holds one application layer per database a test opened: story
// writes go through it, as in the program, and one desk per database
// keeps one related index.
var desks sync.Map

// deskOf returns the application layer writing to db.
func deskOf(db testStore) *desk.Desk {
	d, _ := desks.LoadOrStore(db, desk.New(db))
	return d.(*desk.Desk)
}

// siteStore is the Store the program gives the server: reads from the
// database, story writes through desk.
type siteStore struct {
	testStore
	*desk.Desk
}

// storeOf returns the server's Store over db.
func storeOf(db testStore) Store { return siteStore{db, deskOf(db)} }
