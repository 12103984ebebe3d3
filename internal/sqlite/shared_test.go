package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"newsdesk/internal/sharedtest"
)

// Two handles on one file stand for two processes sharing the database.
func TestSharedState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	sharedtest.Run(t, dbs[0], dbs[1])
}
