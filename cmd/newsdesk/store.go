package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"time"

	"newsdesk/internal/desk"
	"newsdesk/internal/media"
	"newsdesk/internal/news"
	"newsdesk/internal/poll"
	"newsdesk/internal/postgres"
	"newsdesk/internal/sqlite"
	"newsdesk/web"
)

// store is a database as the commands use it: the persistence under the
// application layer (desk), the reads of the web server, feeds and
// pictures. *sqlite.DB (a file, the default) and *postgres.DB (--db
// postgres://…) are both one; openStore picks by the --db value.
type store interface {
	desk.Store
	poll.Store
	media.Store
	web.SharedState
	Close() error
	Ping(ctx context.Context) error
	Version() int64
	WatchVersion(ctx context.Context, interval time.Duration)
	Backup(ctx context.Context, path string) error
	StoryCount(ctx context.Context) (int, error)
	DeleteUnusedImages(ctx context.Context, since time.Time) (int, error)
	CreateFeed(ctx context.Context, f *news.Feed) error
	DeleteFeed(ctx context.Context, id int64) error

	// What the web server reads and keeps besides stories (web.Store
	// without the story writes, which go through desk).
	StoryBySlug(ctx context.Context, slug string) (*news.Story, error)
	Stories(ctx context.Context, f news.StoryFilter) ([]*news.Story, bool, error)
	Related(ctx context.Context, id int64, limit int) ([]news.Related, error)
	CopyStories(ctx context.Context, s *news.Story) ([]*news.Story, error)
	Versions(ctx context.Context, s *news.Story) (versions []*news.Story, lead *news.Story, err error)
	Sections(ctx context.Context) ([]news.Section, error)
	TrendingTags(ctx context.Context, window time.Duration, n int) ([]news.Tag, error)
	Source(ctx context.Context, slug string) (news.Source, error)
	Section(ctx context.Context, slug string) (news.Section, error)
	Tag(ctx context.Context, slug string) (news.Tag, error)
	Author(ctx context.Context, slug string) ([]string, error)
	Sources(ctx context.Context) ([]news.Source, error)
	Search(ctx context.Context, f news.SearchFilter) (news.SearchResult, error)
	FillTags(ctx context.Context, list []*news.Story) error
	FillBodies(ctx context.Context, list []*news.Story) error
	FeedIdentity(ctx context.Context, authority string) (string, time.Time, error)
	StoryMonths(ctx context.Context) ([]news.Month, error)
	StoriesInMonth(ctx context.Context, year, month, offset, limit int) ([]*news.Story, error)
	ListPages(ctx context.Context) ([]news.ListPage, error)
	StoriesSince(ctx context.Context, t time.Time, limit int) ([]*news.Story, error)
	TimeZone(ctx context.Context) (string, error)
	SetTimeZone(ctx context.Context, name string) error
	ImageFile(ctx context.Context, id string, width int, typ string) (news.ImageFile, error)
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
	AdminStories(ctx context.Context, f news.AdminFilter) ([]*news.Story, int, error)
	Revisions(ctx context.Context, storyID int64) ([]news.Revision, error)
	Revision(ctx context.Context, storyID int64, number int) (news.Revision, error)
	Cluster(ctx context.Context, storyID int64) (news.Cluster, error)
	StoryIDByRef(ctx context.Context, ref string) (int64, error)
	OriginalSources(ctx context.Context) (map[int64]bool, error)
	AllSections(ctx context.Context) ([]news.Section, error)
	AllSources(ctx context.Context) ([]news.Source, error)
	Names(ctx context.Context, f news.NameFilter) ([]news.Name, int, error)
	DeleteName(ctx context.Context, kind string, id int64) error
	AddSection(ctx context.Context, name string) error
	PendingComments(ctx context.Context) (int, error)
	Comments(ctx context.Context, storyID int64) ([]*news.Comment, error)
	AddComment(ctx context.Context, c *news.Comment, autoApprove bool) error
	ModerationQueue(ctx context.Context, status string, limit int) ([]*news.Comment, error)
	CommentCounts(ctx context.Context) (map[string]int, error)
	ModerateComments(ctx context.Context, ids []int64, status string) error
	CommentSettings(ctx context.Context) (news.CommentSettings, error)
	SetCommentSettings(ctx context.Context, set news.CommentSettings) error
	Secret(ctx context.Context) ([]byte, error)
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// openStore opens the database named by --db, creating it if needed: a
// postgres:// DSN is a PostgreSQL database (which must exist; its schema
// is created and migrated), anything else an SQLite file.
func openStore(ctx context.Context, dsn string) (store, error) {
	if postgres.IsDSN(dsn) {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, dsn)
}

// openExistingDB opens the database for every command that must not
// create one — backup, user add, feeds: a mistyped --db says the file does
// not exist instead of leaving an empty database behind. Only serve and
// import create a database file. A PostgreSQL database always exists
// before newsdesk uses it.
func openExistingDB(ctx context.Context, dsn string) (store, error) {
	if postgres.IsDSN(dsn) {
		return postgres.Open(ctx, dsn)
	}
	db, err := sqlite.OpenExisting(ctx, dsn)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, fmt.Errorf("database %s does not exist (check --db or NEWSDESK_DB; serve and import create a new one)", dsn)
	}
	if err != nil {
		return nil, err
	}
	noteTightened(os.Stderr, db)
	return db, nil
}

// tightened returns the files of an SQLite database that opening it made
// owner-only (files made before the 0600 rule); none for PostgreSQL.
func tightened(db store) []sqlite.Tightening {
	if db, ok := db.(*sqlite.DB); ok {
		return db.Tightened
	}
	return nil
}

// noteTightened tells the operator of a command which database files
// opening it made owner-only.
func noteTightened(w io.Writer, db store) {
	for _, f := range tightened(db) {
		fmt.Fprintf(w, "newsdesk: %s was readable by other users (%v); it is now readable by its owner only (%v)\n", f.File, f.Was, f.Was&0o700)
	}
}
