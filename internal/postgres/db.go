// Package postgres stores newsdesk's data in PostgreSQL, for several
// serve nodes sharing one database. Like internal/sqlite it only persists:
// what a write stores is derived by the application layer. It is the only
// package that speaks PostgreSQL's SQL.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"newsdesk/internal/changelog"
	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
	"newsdesk/internal/tick"
)

//go:embed migrations/*.sql
var migrations embed.FS

// channel is the LISTEN/NOTIFY channel on which every write transaction
// that readers can see announces the new data version; a database used in
// another schema than public (tests) gets the schema's name after it.
const channel = "newsdesk_changes"

// DB is the store: a pool of connections to one PostgreSQL database.
type DB struct {
	sqlstore.Reads // what desk reads, as the SQLite store does

	pool    *pgxpool.Pool
	dsn     string
	channel string

	// Now is the store's clock; tests replace it.
	Now func() time.Time

	version atomic.Int64  // meta.version as last seen
	changes changelog.Log // what the versions recently seen changed
	pollMu  sync.Mutex    // one Refresh at a time
}

// IsDSN reports whether a --db value names a PostgreSQL database rather
// than an SQLite file.
func IsDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at dsn (postgres://…) and applies the
// migrations it lacks. Nodes opening one database together migrate it
// once: the migrations run under a PostgreSQL advisory lock.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := &DB{pool: pool, dsn: dsn, Now: time.Now}
	db.Reads = sqlstore.Reads{Q: reader{pool}, Now: func() time.Time { return db.Now() }, TextTodoFrom: "stories", ClusterOf: "stories rm"}
	db.Cache = sqlstore.NewCache(sqlstore.CardCacheBytes, db.Version, db.Changes)
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	var schema string
	if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.channel = channel
	if schema != "public" {
		db.channel += "_" + schema
	}
	v, err := db.dataVersion(ctx)
	if err != nil {
		pool.Close()
		return nil, err
	}
	db.raiseVersion(v)
	db.changes.Start(v)
	return db, nil
}

// Channel returns the LISTEN/NOTIFY channel on which every write that
// readers can see announces the new data version (its payload), once it
// commits: other nodes LISTEN to it and call Refresh.
func (db *DB) Channel() string { return db.channel }

// Pool returns the connection pool, for packages that share the
// database's connections (leader election, LISTEN).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// DSN returns the DSN the store was opened with.
func (db *DB) DSN() string { return db.dsn }

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.pool.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// Backup refuses: a PostgreSQL database is backed up with its own tools.
func (db *DB) Backup(ctx context.Context, path string) error {
	return errors.New("backup: on PostgreSQL use pg_dump (e.g. pg_dump -Fc -f newsdesk.dump DSN; restore with pg_restore); see docs/DEPLOY.md")
}

// Version is a number that grows whenever the stored data changes. Writes
// through this DB raise it before they return; writes by other nodes are
// seen by Refresh (on a notification) or WatchVersion. Changes says what
// changed in between.
func (db *DB) Version() int64 { return db.version.Load() }

func (db *DB) dataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.pool.QueryRow(ctx, "SELECT version FROM meta").Scan(&v); err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return v, nil
}

// Refresh reads the data version and, when other nodes raised it, what
// their writes changed (Changes), before raising the version here.
func (db *DB) Refresh(ctx context.Context) error {
	db.pollMu.Lock()
	defer db.pollMu.Unlock()
	v, err := db.dataVersion(ctx)
	if err != nil {
		return err
	}
	if err := db.readChanges(ctx, db.pool, db.Version(), v); err != nil {
		return err
	}
	db.raiseVersion(v)
	return nil
}

// readChanges records, read through q, what the versions after known up
// to v changed.
func (db *DB) readChanges(ctx context.Context, q querier, known, v int64) error {
	return db.changes.Learn(ctx, known, v, func(ctx context.Context, after, upTo int64) ([]changelog.Row, error) {
		return queryAll(ctx, q, func(r scanner) (changelog.Row, error) {
			var x changelog.Row
			return x, r.Scan(&x.Version, &x.Keys)
		}, "SELECT version, keys FROM changes WHERE version > ? AND version <= ? ORDER BY version", after, upTo)
	})
}

// Changes returns what the writes after data version since changed, up to
// the current version: by this node or, once Refresh has seen them, by
// another. All is set when a write named no keys or they are no longer
// known.
func (db *DB) Changes(since int64) news.Changes {
	return db.changes.Changes(since, db.Version())
}

// WatchVersion polls for writes made by other nodes every interval until
// ctx ends.
func (db *DB) WatchVersion(ctx context.Context, interval time.Duration) {
	tick.Every(ctx, interval, interval, func() { db.Refresh(ctx) })
}

func (db *DB) raiseVersion(v int64) {
	for {
		old := db.version.Load()
		if v <= old || db.version.CompareAndSwap(old, v) {
			return
		}
	}
}

// migrate applies the embedded migrations that the database lacks, each
// in its own transaction, under an advisory lock held on one connection:
// a node that starts while another migrates waits, then finds nothing to
// do. The lock's key is taken from the schema, so that databases of
// different schemas (tests) do not wait for each other.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	const key = "hashtext('newsdesk migrate ' || current_schema())"
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock("+key+")"); err != nil {
		return fmt.Errorf("lock for migrations: %w", err)
	}
	defer func() {
		// A failed unlock leaves the lock to end with the session.
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+key+")"); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	rows, _ := conn.Query(ctx, "SELECT name FROM schema_migrations")
	done, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	applied := map[string]bool{}
	for _, n := range done {
		applied[n] = true
	}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		if applied[base] {
			continue
		}
		src, err := fs.ReadFile(migrations, name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(src)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)", base, db.Now().Unix())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

// Statements are written with ? placeholders, as for SQLite, and numbered
// for PostgreSQL once: the fragments shared by many queries (visible,
// firstOf) then read the same in both stores.
var rebound sync.Map // string → string

func rebind(query string) string {
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}

// querier is what runs statements: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// scanner, scanString and scanInt64 are sqlstore's, by shorter names.
type scanner = sqlstore.Row

var (
	scanString = sqlstore.ScanString
	scanInt64  = sqlstore.ScanInt64
)

func (db *DB) query(ctx context.Context, query string, args ...any) (pgx.Rows, error) {
	return db.pool.Query(ctx, rebind(query), textArgs(args)...)
}

func (db *DB) exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	return db.pool.Exec(ctx, rebind(query), textArgs(args)...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) pgx.Row {
	return db.pool.QueryRow(ctx, rebind(query), textArgs(args)...)
}

// reader runs the reads both stores share (internal/sqlstore) on q.
type reader struct{ q querier }

func (r reader) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return r.q.Query(ctx, rebind(query), textArgs(args)...)
}

func (r reader) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return r.q.QueryRow(ctx, rebind(query), textArgs(args)...)
}

func (reader) InIDs(ids []int64) (string, any) { return " = ANY(?)", ids }

func (reader) InStrings(list []string) (string, any) { return " = ANY(?)", list }

// queryAll runs query and scans every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, rebind(query), textArgs(args)...)
	if err != nil {
		return nil, fmt.Errorf("query %.40q: %w", query, err)
	}
	return scanAll(rows, scan)
}

func scanAll[T any](rows pgx.Rows, scan func(scanner) (T, error)) ([]T, error) {
	return sqlstore.ScanAll(rows, nil, scan)
}

// isUnique reports whether err is a UNIQUE (or primary key) violation.
func isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// notFound is sqlstore.NotFound: "no rows" becomes ENOTFOUND with the
// sentence format and args make, any other error is wrapped with it.
func notFound(err error, format string, args ...any) error {
	return sqlstore.NotFound(err, format, args...)
}

func unix(t time.Time) int64 { return t.UTC().Unix() }

func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// nullable turns "" into NULL for UNIQUE columns where blank means absent.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullID turns 0 into NULL for optional references.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// tx is one write transaction.
type tx struct {
	pgx.Tx
	db *DB
	// ids of sources, sections and tags resolved in this transaction.
	ids map[string]int64
	// quiet says the transaction changes nothing a reader sees, so the
	// data version stays and cached pages stay valid. Otherwise keys are
	// what it changes (news.StoryKey …); none means everything.
	quiet bool
	keys  *changelog.Keys
	// Statements whose results the write does not need (queue), sent
	// together, in order, before the next statement that reads and at
	// the end: one round trip for many.
	batch  *pgx.Batch
	queued []string
}

// queue adds a statement that reads nothing back to the transaction's
// pipeline; its error, if any, comes from the next flush.
func (w *tx) queue(query string, args ...any) {
	if w.batch == nil {
		w.batch = &pgx.Batch{}
	}
	w.batch.Queue(rebind(query), textArgs(args)...)
	w.queued = append(w.queued, query)
}

// flush sends the queued statements in one round trip.
func (w *tx) flush(ctx context.Context) error {
	if w.batch == nil || w.batch.Len() == 0 {
		return nil
	}
	b, queued := w.batch, w.queued
	w.batch, w.queued = nil, nil
	res := w.Tx.SendBatch(ctx, b)
	for _, q := range queued {
		if _, err := res.Exec(); err != nil {
			res.Close()
			return fmt.Errorf("%.60q: %w", q, err)
		}
	}
	return res.Close()
}

// errRow is a row whose Scan returns err: a failed flush before a read.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (w *tx) exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	if err := w.flush(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return w.Exec(ctx, rebind(query), textArgs(args)...)
}

func (w *tx) queryRow(ctx context.Context, query string, args ...any) pgx.Row {
	if err := w.flush(ctx); err != nil {
		return errRow{err}
	}
	return w.QueryRow(ctx, rebind(query), textArgs(args)...)
}

func (w *tx) queryIDs(ctx context.Context, query string, args ...any) ([]int64, error) {
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, w.Tx, scanInt64, query, args...)
}

// transact runs fn in one transaction and, unless fn said readers see
// nothing new, raises the data version, writes what the transaction
// changed into the change log as that version and announces it on
// Channel; the announcement is delivered when the transaction commits.
func (db *DB) transact(ctx context.Context, fn func(*tx) error) error {
	var version int64
	err := pgx.BeginFunc(ctx, db.pool, func(t pgx.Tx) error {
		w := &tx{Tx: t, db: db, ids: map[string]int64{}}
		w.keys = changelog.New(w)
		if err := fn(w); err != nil {
			return err
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		if w.quiet {
			return nil
		}
		// The row lock on meta orders the writers of every node: the
		// versions below this one have committed.
		if err := t.QueryRow(ctx, "UPDATE meta SET version = version + 1 RETURNING version").Scan(&version); err != nil {
			return fmt.Errorf("bump data version: %w", err)
		}
		// Versions other nodes committed that this one has not heard of
		// yet are read first: this write raises the version past them,
		// and unknown they would empty the cache.
		if known := db.Version(); version-1 > known {
			if err := db.readChanges(ctx, t, known, version-1); err != nil {
				return err
			}
		}
		keys := w.keys.List()
		w.queue("INSERT INTO changes (version, keys) VALUES (?, ?)", version, changelog.Format(keys))
		w.queue("DELETE FROM changes WHERE version <= ?", version-changelog.Kept)
		w.queue("SELECT pg_notify(?, ?)", db.channel, strconv.FormatInt(version, 10))
		if err := w.flush(ctx); err != nil {
			return fmt.Errorf("log changes: %w", err)
		}
		// Recorded before the commit: a reader sees the version only once
		// the commit has raised it.
		db.changes.Record(version, keys)
		return nil
	})
	if err != nil {
		return err
	}
	db.raiseVersion(version)
	return nil
}

func (w *tx) query(ctx context.Context, query string, args ...any) (pgx.Rows, error) {
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	return w.Query(ctx, rebind(query), textArgs(args)...)
}

// scanIDs, scanStrings and scanTags are sqlstore's, of pgx.Rows.
func scanIDs(rows pgx.Rows, err error) ([]int64, error) { return sqlstore.ScanIDs(rows, err) }

func scanStrings(rows pgx.Rows, err error) ([]string, error) { return sqlstore.ScanStrings(rows, err) }

func scanTags(rows pgx.Rows, err error) ([]news.Tag, error) { return sqlstore.ScanTags(rows, err) }

// Redact returns a --db value fit for a log: a DSN's password hidden.
// Anything that is not a postgres:// DSN comes back as it is.
func Redact(dsn string) string {
	if !IsDSN(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
