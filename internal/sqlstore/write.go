package sqlstore

import (
	"strings"

	"newsdesk/internal/store"
)

// Statement is one statement a store's write transaction runs as it is.
type Statement struct {
	SQL  string
	Args []any
}

// RelatedList returns the statements that make story id's stored related
// list list (empty deletes it). A list usually changes by one story
// offered into it, moving the ones below: positions that hold what they
// held are left as they are, the rest upserted in one statement (one
// prepared form per length).
func RelatedList(id int64, list []store.Match) []Statement {
	out := []Statement{{"DELETE FROM story_related WHERE story_id = ? AND position >= ?", []any{id, len(list)}}}
	if len(list) == 0 {
		return out
	}
	args := make([]any, 0, 4*len(list))
	for i, m := range list {
		args = append(args, id, i, m.ID, m.Score)
	}
	return append(out, Statement{"INSERT INTO story_related AS r (story_id, position, related_id, score) VALUES (?, ?, ?, ?)" +
		strings.Repeat(", (?, ?, ?, ?)", len(list)-1) +
		" ON CONFLICT (story_id, position) DO UPDATE SET related_id = excluded.related_id, score = excluded.score" +
		" WHERE r.related_id != excluded.related_id OR r.score != excluded.score", args})
}
