package web

import (
	"sync"

	"newsdesk/internal/desk"
	"newsdesk/internal/sqlite"
)

// desks holds one application layer per database a test opened: story
// writes go through it, as in the program, and one desk per database
// keeps one related index.
var desks sync.Map

// deskOf returns the application layer writing to db.
func deskOf(db *sqlite.DB) *desk.Desk {
	d, _ := desks.LoadOrStore(db, desk.New(db))
	return d.(*desk.Desk)
}

// siteStore is the Store the program gives the server: reads from the
// database, story writes through desk.
type siteStore struct {
	*sqlite.DB
	*desk.Desk
}

// storeOf returns the server's Store over db.
func storeOf(db *sqlite.DB) Store { return siteStore{db, deskOf(db)} }
