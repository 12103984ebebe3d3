package postgres

import (
	"context"
	"testing"

	"newsdesk/internal/postgres/pgtest"
	"newsdesk/internal/sharedtest"
)

// Two stores on one database stand for two nodes.
func TestSharedState(t *testing.T) {
	dsn := pgtest.DSN(t)
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	sharedtest.Run(t, dbs[0], dbs[1])
}
