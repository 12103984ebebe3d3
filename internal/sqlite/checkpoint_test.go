package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The checkpointer keeps the WAL to about one transaction's pages while
// writes go on: the writer alone would let it grow to
// checkpointWALPages before copying it back.
func TestCheckpointerKeepsTheWALShort(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wal.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	value := strings.Repeat("x", 100<<10)
	const writes = 40
	var first int64 // the WAL's size after the first write
	for i := range writes {
		before := db.ckpt.runs.Load()
		if err := db.dataTx(ctx, func(w *writer) error {
			_, err := w.exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", fmt.Sprint("big", i), value)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); db.ckpt.runs.Load() == before; {
			if time.Now().After(deadline) {
				t.Fatalf("write %d: no checkpoint followed it", i)
			}
			time.Sleep(time.Millisecond)
		}
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = fi.Size()
		} else if max := first + 2*int64(len(value)); fi.Size() > max {
			t.Fatalf("WAL is %d bytes after %d writes of %d bytes; want at most %d", fi.Size(), i+1, len(value), max)
		}
	}
	var n int
	if err := db.readQueryRow(ctx, "SELECT count(*) FROM settings WHERE key LIKE 'big%'").Scan(&n); err != nil || n != writes {
		t.Errorf("%d rows written, %v; want %d", n, err, writes)
	}
	// Closing copies what is left into the file and removes the WAL.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the WAL is still there after Close: %v", err)
	}
}

// A DB closes twice without harm, and a write after Close fails with an
// error: a transaction that commits while the DB closes (a scheduled
// publish at shutdown) kicks a checkpointer that is gone.
func TestCloseTwiceAndWriteAfterClose(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "closed.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	db.ckpt.Kick() // as a commit racing Close would
	if err := db.AddSection(ctx, "Late"); err == nil {
		t.Error("a write after Close succeeded")
	}
}
