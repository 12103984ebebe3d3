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
	"newsdesk/internal/news"
	"newsdesk/internal/postgres"
	"newsdesk/internal/postgres/pgtest"
	"newsdesk/internal/sqlite"
	"newsdesk/web"
)

// Store is what the tests use of a store: desk's persistence and the
// reads pages make.
type Store interface {
	desk.Store
	web.SharedState
	Close() error
	Version() int64
	Changes(since int64) news.Changes
	WatchVersion(ctx context.Context, interval time.Duration)
	Ping(ctx context.Context) error
	StoryCount(ctx context.Context) (int, error)
	StoryBySlug(ctx context.Context, slug string) (*news.Story, error)
	Stories(ctx context.Context, f news.StoryFilter) ([]*news.Story, bool, error)
	Related(ctx context.Context, id int64, limit int) ([]news.Related, error)
	CopyStories(ctx context.Context, s *news.Story) ([]*news.Story, error)
	Versions(ctx context.Context, s *news.Story) ([]*news.Story, *news.Story, error)
	Search(ctx context.Context, f news.SearchFilter) (news.SearchResult, error)
	AdminStories(ctx context.Context, f news.AdminFilter) ([]*news.Story, int, error)
	Revisions(ctx context.Context, storyID int64) ([]news.Revision, error)
	Revision(ctx context.Context, storyID int64, number int) (news.Revision, error)
	Cluster(ctx context.Context, storyID int64) (news.Cluster, error)
	StoryIDByRef(ctx context.Context, ref string) (int64, error)
	OriginalSources(ctx context.Context) (map[int64]bool, error)
	AllSources(ctx context.Context) ([]news.Source, error)
	AllSections(ctx context.Context) ([]news.Section, error)
	Names(ctx context.Context, f news.NameFilter) ([]news.Name, int, error)
	DeleteName(ctx context.Context, kind string, id int64) error
	Sources(ctx context.Context) ([]news.Source, error)
	Sections(ctx context.Context) ([]news.Section, error)
	Source(ctx context.Context, slug string) (news.Source, error)
	Section(ctx context.Context, slug string) (news.Section, error)
	Tag(ctx context.Context, slug string) (news.Tag, error)
	AddSection(ctx context.Context, name string) error
	Feeds(ctx context.Context) ([]news.Feed, error)
	Feed(ctx context.Context, id int64) (news.Feed, error)
	CreateFeed(ctx context.Context, f *news.Feed) error
	DeleteFeed(ctx context.Context, id int64) error
	RecordFeedCheck(ctx context.Context, id int64, c news.FeedCheck) error
	SaveImage(ctx context.Context, im news.Image, files []news.ImageFile) error
	Image(ctx context.Context, id string) (news.Image, error)
	ImageFile(ctx context.Context, id string, w int, typ string) (news.ImageFile, error)
	ImagesByURL(ctx context.Context, urls []string) (map[string]news.Image, error)
	DeleteUnusedImages(ctx context.Context, since time.Time) (int, error)
	UserCount(ctx context.Context) (int, error)
	CreateUser(ctx context.Context, u *news.User, password string) error
	User(ctx context.Context, id int64) (*news.User, error)
	UserByEmail(ctx context.Context, email string) (*news.User, error)
	Users(ctx context.Context) ([]*news.User, error)
	SetUserAccess(ctx context.Context, id int64, role string, disabled bool) error
	SetPassword(ctx context.Context, id int64, password string) error
	CreateSession(ctx context.Context, userID int64) (string, error)
	SessionUser(ctx context.Context, token string) (*news.User, error)
	EndSession(ctx context.Context, token string) error
	Comments(ctx context.Context, storyID int64) ([]*news.Comment, error)
	AddComment(ctx context.Context, c *news.Comment, autoApprove bool) error
	ModerationQueue(ctx context.Context, status string, limit int) ([]*news.Comment, error)
	CommentCounts(ctx context.Context) (map[string]int, error)
	ModerateComments(ctx context.Context, ids []int64, status string) error
	CommentSettings(ctx context.Context) (news.CommentSettings, error)
	SetCommentSettings(ctx context.Context, set news.CommentSettings) error
	PendingComments(ctx context.Context) (int, error)
	Secret(ctx context.Context) ([]byte, error)
	TimeZone(ctx context.Context) (string, error)
	SetTimeZone(ctx context.Context, name string) error
	FeedIdentity(ctx context.Context, authority string) (string, time.Time, error)
	FillTags(ctx context.Context, list []*news.Story) error
	FillBodies(ctx context.Context, list []*news.Story) error
	StoryMonths(ctx context.Context) ([]news.Month, error)
	StoriesInMonth(ctx context.Context, year, month, offset, limit int) ([]*news.Story, error)
	ListPages(ctx context.Context) ([]news.ListPage, error)
	StoriesSince(ctx context.Context, t time.Time, limit int) ([]*news.Story, error)
	TrendingTags(ctx context.Context, window time.Duration, n int) ([]news.Tag, error)
	Author(ctx context.Context, slug string) ([]string, error)
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
