package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// checkpointWALPages is when the writer checkpoints the WAL itself: only
// when the checkpointer has fallen this far behind (32 MiB of 4 KiB pages;
// SQLite's default is 1,000 pages, less than one import batch writes).
const checkpointWALPages = 8192

// checkpointer copies the pages a commit appended to the WAL into the
// database file, on a connection of its own, while the writer goes on
// with its next transaction. Done by the writer at its commits, that copy
// was a tenth of an import's serial path.
type checkpointer struct {
	conn  *sql.DB
	kick  chan struct{} // never closed: a commit may kick while the DB closes
	quit  chan struct{}
	done  chan struct{}
	close sync.Once
	runs  atomic.Int64 // checkpoints tried, for tests
}

// startCheckpointer checkpoints on conn after each call of Kick.
func startCheckpointer(conn *sql.DB) *checkpointer {
	c := &checkpointer{conn: conn, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			select {
			case <-c.quit:
				return
			case <-c.kick:
			}
			// PASSIVE copies what no reader still needs and never waits;
			// what it leaves is copied after a later commit. A failure
			// loses nothing: the pages stay in the WAL, and the writer
			// checkpoints them itself past checkpointWALPages.
			c.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
			c.runs.Add(1)
		}
	}()
	return c
}

// Kick asks for a checkpoint after a commit. It never blocks: a request
// made while one is pending is the same request, and one made after
// Close is not answered.
func (c *checkpointer) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// Close waits for a checkpoint under way and closes the connection. It
// may be called more than once.
func (c *checkpointer) Close() error {
	var err error
	c.close.Do(func() {
		close(c.quit)
		<-c.done
		err = c.conn.Close()
	})
	return err
}
