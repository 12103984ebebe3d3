package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
)

// openRO opens the database file read-only.
func openRO(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro&_pragma=busy_timeout(5000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// verify checks that every acknowledged write is in the database.
func (l *loader) verify(ctx context.Context) (int, error) {
	if l.o.db == "" {
		return 0, nil
	}
	db, err := openRO(l.o.db)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	bodies, err := column(ctx, db, "SELECT name || char(0) || body FROM comments WHERE body LIKE ?", "soak "+l.runID+" %")
	if err != nil {
		return 0, fmt.Errorf("read comments: %w", err)
	}
	urls, err := column(ctx, db, "SELECT url FROM stories WHERE url LIKE ?", "https://soak.invalid/"+l.runID+"/%")
	if err != nil {
		return 0, fmt.Errorf("read stories: %w", err)
	}
	lost := 0
	for _, c := range l.comments {
		if !bodies[c.name+"\x00"+c.body] {
			lost++
			if lost <= 10 {
				fmt.Printf("  LOST comment %q\n", c.body)
			}
		}
	}
	lostComments := lost
	for _, u := range l.urls {
		if !urls[u] {
			lost++
			if lost-lostComments <= 10 {
				fmt.Printf("  LOST story %s\n", u)
			}
		}
	}
	fmt.Printf("verify:    %d/%d acknowledged comments and %d/%d acknowledged stories found in %s; lost %d\n",
		len(l.comments)-lostComments, len(l.comments), len(l.urls)-(lost-lostComments), len(l.urls), l.o.db, lost)
	return lost, nil
}

func column(ctx context.Context, db *sql.DB, query string, args ...any) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		set[s] = true
	}
	return set, rows.Err()
}
