// Package sqlstore holds the reads both stores (internal/sqlite,
// internal/postgres) make alike, written once. A store adapts its
// handles to a Querier, a few lines: statements are written with ?
// placeholders, as for SQLite, and the PostgreSQL store numbers them. What
// the dialects spell differently (a list argument) the Querier says; what
// differs more (booleans, JSON, full-text search, most writes) stays in
// each store; a write both spell alike is built here as Statements.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"newsdesk/internal/news"
)

// Row is one row of a query's result.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a query's result, read row by row.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Querier runs statements written with ? placeholders: a store's read
// pool, or a transaction.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
	// InIDs returns the condition that follows a column to say it is one
	// of ids (" IN (SELECT value FROM json_each(?))", " = ANY(?)") and
	// its one argument.
	InIDs(ids []int64) (cond string, arg any)
	// InStrings is InIDs for a list of strings.
	InStrings(list []string) (cond string, arg any)
}

// QueryAll runs query on q and scans every row with scan.
func QueryAll[T any](ctx context.Context, q Querier, scan func(Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query %.40q: %w", query, err)
	}
	return ScanAll(rows, nil, scan)
}

// ScanAll scans every row of a query's result with scan and closes it:
// the one row-reading loop. It takes the query's error too, so that
// ScanAll(q.Query(…), scan) reads as one call.
func ScanAll[T any](rows Rows, err error, scan func(Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ScanIDs reads a one-column result of ids; it takes the query's error
// too, so that ScanIDs(q.Query(…)) reads as one call.
func ScanIDs(rows Rows, err error) ([]int64, error) {
	ids, err := ScanAll(rows, err, ScanInt64)
	if err != nil {
		return nil, fmt.Errorf("select ids: %w", err)
	}
	return ids, nil
}

// ScanInt64 scans a one-column row of an integer.
func ScanInt64(row Row) (int64, error) {
	var n int64
	return n, row.Scan(&n)
}

// ScanString scans a one-column row of a string.
func ScanString(row Row) (string, error) {
	var s string
	return s, row.Scan(&s)
}

// NotFound turns "no rows" (sql.ErrNoRows; pgx's wraps it) into an
// ENOTFOUND error whose message is the sentence format and args make;
// any other error is wrapped with that sentence, lowercased, as context.
// The sentence is never used as a format itself: a "%" in a slug stays a
// "%".
func NotFound(err error, format string, args ...any) error {
	if err == nil {
		return nil
	} else if noRows(err) {
		return news.Errorf(news.ENOTFOUND, format, args...)
	}
	what := strings.TrimSuffix(strings.ToLower(fmt.Sprintf(format, args...)), ".")
	return fmt.Errorf("%s: %w", what, err)
}

// ScanStrings reads a one-column result of strings.
func ScanStrings(rows Rows, err error) ([]string, error) {
	if err != nil {
		return nil, fmt.Errorf("select: %w", err)
	}
	return ScanAll(rows, nil, ScanString)
}

// ScanTags reads tags: id, name, slug.
func ScanTags(rows Rows, err error) ([]news.Tag, error) {
	tags, err := ScanAll(rows, err, func(row Row) (news.Tag, error) {
		var t news.Tag
		return t, row.Scan(&t.ID, &t.Name, &t.Slug)
	})
	if err != nil {
		return nil, fmt.Errorf("select tags: %w", err)
	}
	return tags, nil
}

// noRows reports whether err says a query returned no row: sql.ErrNoRows,
// which pgx's wraps.
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
