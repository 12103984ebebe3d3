package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"newsdesk/internal/postgres"
)

// migrateCmd copies a whole site from an SQLite file into PostgreSQL:
// newsdesk migrate --from newsdesk.db --to postgres://…
func migrateCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, _ := newFlags("migrate")
	from := fs.String("from", "", "the SQLite database to copy (a file)")
	to := fs.String("to", "", "the PostgreSQL database to copy into (postgres://…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || postgres.IsDSN(*from) || !postgres.IsDSN(*to) {
		return errors.New("usage: newsdesk migrate --from newsdesk.db --to postgres://user:password@host/database")
	}
	// Bring the file's schema up to date first: the copy maps columns by
	// name onto the current PostgreSQL schema.
	src, err := openExistingDB(ctx, *from)
	if err != nil {
		return err
	}
	src.Close()
	lite, err := sql.Open("sqlite", "file:"+(&url.URL{Path: *from}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer lite.Close()
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	return copySite(ctx, lite, dst, stdout)
}

// pgTable is a table of the PostgreSQL schema, as the copy sees it.
type pgTable struct {
	name     string
	cols     []string          // columns copied: in both stores, not generated, not search vectors
	types    map[string]string // PostgreSQL data_type by column
	key      []string          // primary key columns
	identity []string          // identity columns, whose sequences follow the copied ids
	deps     []string          // tables its foreign keys reference
}

// notCopied are tables the copy leaves alone: the migrations' own record,
// the data version, which the copy raises instead, and the change log,
// whose rows name versions of the file, not of the database (the copy's
// version has no row: readers drop everything).
var notCopied = map[string]bool{"schema_migrations": true, "meta": true, "changes": true}

// copySite copies every table the two schemas share, in one PostgreSQL
// transaction: rows are upserted by primary key, so running it again
// updates what changed and adds what is new. Then it recomputes the search
// vectors and compares every table's row count.
func copySite(ctx context.Context, lite *sql.DB, dst *postgres.DB, out io.Writer) error {
	pool := dst.Pool()
	tables, err := pgTables(ctx, pool)
	if err != nil {
		return err
	}
	var copied []*pgTable
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, t := range tables {
		liteCols, err := sqliteColumns(ctx, lite, t.name)
		if err != nil {
			return err
		}
		if liteCols == nil {
			fmt.Fprintf(out, "%-18s not in the SQLite file: left as it is\n", t.name)
			continue
		}
		t.cols = slices.DeleteFunc(t.cols, func(c string) bool { return !liteCols[c] })
		if len(t.cols) == 0 {
			continue
		}
		n, err := copyTable(ctx, lite, tx, t)
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
		fmt.Fprintf(out, "%-18s %d rows copied\n", t.name, n)
		copied = append(copied, t)
	}
	// Every node that is running sees the copy as one write.
	var version int64
	if err := tx.QueryRow(ctx, "UPDATE meta SET version = version + 1 RETURNING version").Scan(&version); err != nil {
		return fmt.Errorf("raise the data version: %w", err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", dst.Channel(), fmt.Sprint(version)); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	// Search vectors are computed from the copied text by the store.
	n, err := dst.ReindexSearch(ctx)
	if err != nil {
		return fmt.Errorf("index search: %w", err)
	}
	fmt.Fprintf(out, "search indexed for %d stories\n", n)
	return verifyCounts(ctx, lite, pool, copied, out)
}

// verifyCounts compares the row count of every copied table.
func verifyCounts(ctx context.Context, lite *sql.DB, pool interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, tables []*pgTable, out io.Writer) error {
	var bad []string
	for _, t := range tables {
		var a, b int64
		if err := lite.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteLite(t.name)).Scan(&a); err != nil {
			return err
		}
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t.name}.Sanitize()).Scan(&b); err != nil {
			return err
		}
		if a != b {
			bad = append(bad, fmt.Sprintf("%s: %d rows in SQLite, %d in PostgreSQL", t.name, a, b))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("counts differ (PostgreSQL holds rows the file does not: was the site used there since?):\n  %s", strings.Join(bad, "\n  "))
	}
	fmt.Fprintf(out, "verified: every one of %d tables has as many rows in PostgreSQL as in SQLite\n", len(tables))
	return nil
}

// pgTables lists the tables of the store's schema in an order that puts
// every table after those its foreign keys reference.
func pgTables(ctx context.Context, pool interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}) ([]*pgTable, error) {
	byName := map[string]*pgTable{}
	var names []string
	rows, err := pool.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.is_generated, c.is_identity
		FROM information_schema.columns c JOIN information_schema.tables t
			ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, col, typ, generated, identity string
		if err := rows.Scan(&table, &col, &typ, &generated, &identity); err != nil {
			rows.Close()
			return nil, err
		}
		if notCopied[table] {
			continue
		}
		t := byName[table]
		if t == nil {
			t = &pgTable{name: table, types: map[string]string{}}
			byName[table] = t
			names = append(names, table)
		}
		t.types[col] = typ
		if identity == "YES" {
			t.identity = append(t.identity, col)
		}
		if generated != "ALWAYS" && typ != "tsvector" {
			t.cols = append(t.cols, col)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = pool.Query(ctx, `SELECT cl.relname, a.attname FROM pg_index i
		JOIN pg_class cl ON cl.oid = i.indrelid
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
		WHERE i.indisprimary AND cl.relnamespace = current_schema()::regnamespace
		ORDER BY cl.relname, array_position(i.indkey, a.attnum)`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[table]; t != nil {
			t.key = append(t.key, col)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = pool.Query(ctx, `SELECT a.relname, b.relname FROM pg_constraint c
		JOIN pg_class a ON a.oid = c.conrelid JOIN pg_class b ON b.oid = c.confrelid
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var from, ref string
		if err := rows.Scan(&from, &ref); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[from]; t != nil && from != ref {
			t.deps = append(t.deps, ref)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Depth-first: each table after the tables it references.
	var order []*pgTable
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string) error
	visit = func(name string) error {
		t := byName[name]
		if t == nil || state[name] == 2 {
			return nil
		}
		if state[name] == 1 {
			return fmt.Errorf("the foreign keys of table %s form a cycle; the copy cannot order it", name)
		}
		state[name] = 1
		for _, d := range t.deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, t)
		return nil
	}
	slices.Sort(names)
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	for _, t := range order {
		if len(t.key) == 0 {
			return nil, fmt.Errorf("table %s has no primary key: the copy could not be run again safely", t.name)
		}
	}
	return order, nil
}

// sqliteColumns returns the columns of an SQLite table, or nil when the
// file has no such table.
func sqliteColumns(ctx context.Context, lite *sql.DB, table string) (map[string]bool, error) {
	rows, err := lite.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols map[string]bool
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		if cols == nil {
			cols = map[string]bool{}
		}
		cols[c] = true
	}
	return cols, rows.Err()
}

func quoteLite(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// copyTable streams t's rows from SQLite into a temporary table with COPY,
// then upserts them into t by primary key.
func copyTable(ctx context.Context, lite *sql.DB, tx pgx.Tx, t *pgTable) (int64, error) {
	liteCols := make([]string, len(t.cols))
	for i, c := range t.cols {
		liteCols[i] = quoteLite(c)
	}
	rows, err := lite.QueryContext(ctx, "SELECT "+strings.Join(liteCols, ", ")+" FROM "+quoteLite(t.name))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	tmp := "newsdesk_copy_" + t.name
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE "+pgx.Identifier{tmp}.Sanitize()+" (LIKE "+pgx.Identifier{t.name}.Sanitize()+
		" INCLUDING DEFAULTS) ON COMMIT DROP"); err != nil {
		return 0, err
	}
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var convErr error
	n, err := tx.CopyFrom(ctx, pgx.Identifier{tmp}, t.cols, pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			if row[i], convErr = convert(v, t.types[t.cols[i]]); convErr != nil {
				return nil, fmt.Errorf("column %s: %w", t.cols[i], convErr)
			}
		}
		return row, nil
	}))
	if err != nil {
		return 0, err
	}
	quoted := make([]string, len(t.cols))
	for i, c := range t.cols {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	keys := make([]string, len(t.key))
	for i, k := range t.key {
		keys[i] = pgx.Identifier{k}.Sanitize()
	}
	var set []string
	for _, c := range t.cols {
		if !slices.Contains(t.key, c) {
			q := pgx.Identifier{c}.Sanitize()
			set = append(set, q+" = EXCLUDED."+q)
		}
	}
	conflict := "DO NOTHING"
	if len(set) > 0 {
		conflict = "DO UPDATE SET " + strings.Join(set, ", ")
	}
	override := ""
	if len(t.identity) > 0 {
		override = " OVERRIDING SYSTEM VALUE"
	}
	list := strings.Join(quoted, ", ")
	if _, err := tx.Exec(ctx, "INSERT INTO "+pgx.Identifier{t.name}.Sanitize()+" ("+list+")"+override+
		" SELECT "+list+" FROM "+pgx.Identifier{tmp}.Sanitize()+" ON CONFLICT ("+strings.Join(keys, ", ")+") "+conflict); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "DROP TABLE "+pgx.Identifier{tmp}.Sanitize()); err != nil {
		return 0, err
	}
	// New rows written after the copy take ids above the copied ones.
	for _, c := range t.identity {
		if _, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max("+pgx.Identifier{c}.Sanitize()+
			") FROM "+pgx.Identifier{t.name}.Sanitize()+"), 0) + 1, false)", pgx.Identifier{t.name}.Sanitize(), c); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// convert turns a value read from SQLite into what the PostgreSQL column
// of type typ takes: SQLite keeps booleans as integers, and may hand back
// text for blobs and the other way round.
func convert(v any, typ string) (any, error) {
	switch typ {
	case "boolean":
		switch b := v.(type) {
		case int64:
			return b != 0, nil
		case bool, nil:
			return b, nil
		}
		return nil, fmt.Errorf("%T is not a boolean", v)
	case "bytea":
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	case "text", "character varying":
		if b, ok := v.([]byte); ok {
			return string(b), nil
		}
	case "double precision", "real", "numeric":
		if i, ok := v.(int64); ok {
			return float64(i), nil
		}
	}
	return v, nil
}
