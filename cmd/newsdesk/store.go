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
	WatchVersion(ctx context.Context, interval time.Duration)
	Backup(ctx context.Context, path string) error
	StoryCount(ctx context.Context) (int, error)
	DeleteUnusedImages(ctx context.Context, since time.Time) (int, error)
	CreateFeed(ctx context.Context, f *news.Feed) error
	DeleteFeed(ctx context.Context, id int64) error

	// What the web server reads and keeps besides stories (web.Store
	// without the story writes, which go through desk).
	web.Pages
	web.Settings
	web.Accounts
	web.Newsroom
	web.Comments
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
