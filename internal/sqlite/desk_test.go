package sqlite

import (
	"sync"

	"newsdesk/internal/desk"
)

// desks holds one application layer per database a test opened: story
// writes go through it, as in the program, and one desk per database
// keeps one related index.
var desks sync.Map

// deskOf returns the application layer writing to db.
func deskOf(db *DB) *desk.Desk {
	d, _ := desks.LoadOrStore(db, desk.New(db))
	return d.(*desk.Desk)
}
