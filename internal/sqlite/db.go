// Package sqlite stores newsdesk's data in one SQLite file. It is the only
// package that speaks SQL.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"newsdesk/internal/changelog"
	"newsdesk/internal/sqlstore"
	"newsdesk/internal/tick"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the store: one writer connection and a pool of read-only readers on
// the same file. A single writer with immediate transactions never meets
// SQLITE_BUSY between writers, and WAL lets readers run beside it.
type DB struct {
	sqlstore.Reads // what desk reads, as the PostgreSQL store does

	write *sql.DB
	read  *sql.DB
	ckpt  *checkpointer

	// Now is the store's clock; tests replace it.
	Now func() time.Time

	// Tightened names the files (the database, its -wal and -shm) that
	// other users could read and that opening made owner-only, with the
	// mode each had: files made before the 0600 rule. The caller logs it.
	Tightened []Tightening

	version atomic.Int64  // meta.version as last seen
	changes changelog.Log // what the versions recently seen changed
	pollMu  sync.Mutex    // one pollVersion at a time

	// OnExternalWrite, when set, is called when WatchVersion sees a write
	// that did not go through this DB (another process): the application
	// layer drops what it keeps in memory of the stories.
	OnExternalWrite func()

	// Prepared read statements, by query text. database/sql prepares each
	// on every pooled connection as needed; reusing them saves parsing
	// the same SQL on every page view.
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if st, ok := db.stmts[query]; ok {
		return st, nil
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if db.stmts == nil {
		db.stmts = map[string]*sql.Stmt{}
	}
	db.stmts[query] = st
	return st, nil
}

// readQuery runs a query on the read pool through the statement cache.
// Reads run without ctx's end: given a context that can end (a request's),
// database/sql and the driver each start a goroutine per query to watch
// it, which cost random uncached articles at 100k about 9 % of their
// rate (docs/PERFORMANCE.md). The reads that come through here are short
// and bounded, so a reader who leaves costs at most one finished query;
// an unbounded one (IntegrityCheck) runs on db.read with its context.
func (db *DB) readQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = context.WithoutCancel(ctx)
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryAll runs query on the read pool and scans every row with scan.
func queryAll[T any](ctx context.Context, db *DB, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	// Not sqlstore.QueryAll: args passed through its interface would
	// escape, one allocation more a query.
	rows, err := db.readQuery(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query %.40q: %w", query, err)
	}
	return scanAll(rows, nil, scan)
}

// scanAll is sqlstore.ScanAll of *sql.Rows: it scans every row of a
// query's result with scan and closes it. It takes the query's error
// too, so that scanAll(rows, err, scan) follows a query directly.
func scanAll[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	return sqlstore.ScanAll(sqlRows{rows}, err, scan)
}

// scanner, scanString and scanInt64 are sqlstore's, by shorter names.
type scanner = sqlstore.Row

var (
	scanString = sqlstore.ScanString
	scanInt64  = sqlstore.ScanInt64
)

// readQueryRow is QueryRowContext on the read pool through the cache.
func (db *DB) readQueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx)
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return db.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// reader runs the reads both stores share (internal/sqlstore) on the
// read pool, through the statement cache.
type reader struct{ db *DB }

func (r reader) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := r.db.readQuery(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (r reader) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return r.db.readQueryRow(ctx, query, args...)
}

func (reader) InIDs(ids []int64) (string, any) { return " IN " + jsonIDs, idList(ids) }

func (reader) InStrings(list []string) (string, any) { return " IN " + jsonIDs, jsonList(list) }

// sqlRows is *sql.Rows as sqlstore.Rows: a Close without a result.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

func jsonList(v []string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Open opens the database at path, creating it if needed, and applies any
// migrations it lacks. A new file is readable by its owner only (0600), as
// are its -wal and -shm files, which SQLite creates with the database's
// mode: it holds password hashes, session hashes and the site's secret.
// An existing file that others can read is made owner-only (Tightened).
func Open(ctx context.Context, path string) (*DB, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		err = f.Close()
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create database: %w", err)
	}
	return open(ctx, path, "")
}

// OpenExisting is Open for a database that must already exist: it never
// creates one, and a missing file is an error that matches fs.ErrNotExist.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// mode=rw: should the file vanish meanwhile, SQLite fails instead of
	// creating it.
	return open(ctx, path, "mode=rw&")
}

// Tightening is a file whose permissions Open narrowed to its owner.
type Tightening struct {
	File string
	Was  fs.FileMode
}

// tighten takes group and world access away from the database file and
// its -wal and -shm files where they have any.
func tighten(path string) ([]Tightening, error) {
	var done []Tightening
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return done, fmt.Errorf("check database file mode: %w", err)
		}
		if mode := fi.Mode().Perm(); mode&0o077 != 0 {
			if err := os.Chmod(name, mode&0o700); err != nil {
				return done, fmt.Errorf("make %s readable by its owner only: %w", name, err)
			}
			done = append(done, Tightening{File: name, Was: mode})
		}
	}
	return done, nil
}

func open(ctx context.Context, path, mode string) (*DB, error) {
	db := &DB{Now: time.Now}
	db.Reads = sqlstore.Reads{Q: reader{db}, Now: func() time.Time { return db.Now() }, TextTodoFrom: "stories INDEXED BY stories_text_todo",
		ClusterOf: "stories rm INDEXED BY stories_cluster_of"}
	db.Cache = sqlstore.NewCache(sqlstore.CardCacheBytes, db.Version, db.Changes)
	var err error
	if db.Tightened, err = tighten(path); err != nil {
		return nil, err
	}
	pragmas := mode + "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	file := "file:" + (&url.URL{Path: path}).EscapedPath()
	// The writer gets a larger page cache (64 MiB): batch imports touch
	// the same B-tree pages over and over. It leaves checkpoints to the
	// checkpointer (below) unless that falls behind.
	if db.write, err = sql.Open("sqlite", file+"?"+pragmas+"&_pragma=cache_size(-65536)&_pragma=temp_store(memory)&_txlock=immediate"+
		fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", checkpointWALPages)); err != nil {
		return nil, err
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	if err := db.migrate(ctx); err != nil {
		db.write.Close()
		return nil, err
	}
	if db.read, err = sql.Open("sqlite", file+"?"+pragmas+"&_pragma=query_only(1)"); err != nil {
		db.write.Close()
		return nil, err
	}
	db.read.SetMaxOpenConns(8)
	db.read.SetMaxIdleConns(8)
	// The checkpointer's connection: transactions kick it after they commit.
	ckpt, err := sql.Open("sqlite", file+"?"+pragmas)
	if err != nil {
		db.read.Close()
		db.write.Close()
		return nil, err
	}
	ckpt.SetMaxOpenConns(1)
	db.ckpt = startCheckpointer(ckpt)
	if err := db.pollVersion(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.changes.Start(db.Version())
	return db, nil
}

// Version is a number that grows whenever the stored data changes. Writes
// through this DB raise it before they return; writes by other processes
// are seen by WatchVersion. Changes says what changed in between.
func (db *DB) Version() int64 { return db.version.Load() }

// WatchVersion polls for writes made by other processes (such as an import
// while serve runs) every interval until ctx ends.
func (db *DB) WatchVersion(ctx context.Context, interval time.Duration) {
	tick.Every(ctx, interval, interval, func() { db.pollVersion(ctx) })
}

// pollVersion reads the data version and, when another process raised
// it, what its writes changed (Changes), before raising the version here.
func (db *DB) pollVersion(ctx context.Context) error {
	db.pollMu.Lock()
	defer db.pollMu.Unlock()
	var v int64
	if err := db.readQueryRow(ctx, "SELECT version FROM meta").Scan(&v); err != nil {
		return fmt.Errorf("read data version: %w", err)
	}
	if known := db.Version(); v > known {
		if err := db.readChanges(ctx, known, v); err != nil {
			return err
		}
	}
	if db.raiseVersion(v) && db.OnExternalWrite != nil {
		db.OnExternalWrite()
	}
	return nil
}

// raiseVersion records version v and reports whether it was news: a
// write through this DB raises the version before it returns, so only
// other processes' writes are news to pollVersion.
func (db *DB) raiseVersion(v int64) bool {
	for {
		old := db.version.Load()
		if v <= old {
			return false
		}
		if db.version.CompareAndSwap(old, v) {
			return true
		}
	}
}

// Close closes the readers, the checkpointer and the writer, which
// checkpoints the WAL. It may be called more than once.
func (db *DB) Close() error {
	db.stmtMu.Lock()
	for _, st := range db.stmts {
		st.Close()
	}
	db.stmts = nil
	db.stmtMu.Unlock()
	// The writer closes last, as the last connection to close copies the
	// WAL into the file and removes it.
	return errors.Join(db.read.Close(), db.ckpt.Close(), db.write.Close())
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.readQueryRow(ctx, "SELECT 1").Scan(&one)
}

// Backup writes a consistent snapshot of the database to path, which must
// not exist: it is created exclusively, readable by its owner only. It is
// safe while other processes write.
func (db *DB) Backup(ctx context.Context, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// VACUUM INTO writes into an empty file and keeps its mode.
	if _, err := db.write.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	// Look before taking the write lock: a backup or an import opening a
	// database that a busy server writes to must not wait for the lock
	// when there is nothing to migrate.
	// (A new database has no schema_migrations table yet: then every
	// migration is pending.)
	applied := map[string]bool{}
	rows, err := db.write.QueryContext(ctx, "SELECT name FROM schema_migrations")
	if names, err := scanAll(rows, err, scanString); err == nil {
		for _, n := range names {
			applied[n] = true
		}
	}
	pending := false
	for _, name := range names {
		pending = pending || !applied[name]
	}
	if !pending {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, name := range names {
		if err := db.migrateOne(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateOne(ctx context.Context, name string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE name = ?", name).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	src, err := fs.ReadFile(migrations, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(src)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
		name, db.Now().Unix()); err != nil {
		return err
	}
	return tx.Commit()
}

// isUnique reports whether err is a UNIQUE constraint violation.
func isUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// notFound is sqlstore.NotFound: "no rows" becomes ENOTFOUND with the
// sentence format and args make, any other error is wrapped with it.
func notFound(err error, format string, args ...any) error {
	return sqlstore.NotFound(err, format, args...)
}

func unix(t time.Time) int64 { return t.UTC().Unix() }

func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// IntegrityCheck runs SQLite's integrity check and reports whether it
// found the database sound.
func (db *DB) IntegrityCheck(ctx context.Context) (bool, error) {
	var res string
	// Not readQueryRow: the check reads the whole file, so it stops when
	// ctx ends.
	if err := db.read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return false, err
	}
	return res == "ok", nil
}
