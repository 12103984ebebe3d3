package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"newsdesk/internal/markdown"
)

// fillText derives the plain text of stories written before body_text
// existed (migration 0009), 500 at a time, on every core. It runs once:
// afterwards every write stores the text with the story.
func (db *DB) fillText(ctx context.Context) error {
	for {
		type body struct {
			id         int64
			body, text string
		}
		rows, err := db.write.QueryContext(ctx, "SELECT id, body FROM stories INDEXED BY stories_text_todo WHERE body_text IS NULL LIMIT 500")
		if err != nil {
			return fmt.Errorf("select stories without text: %w", err)
		}
		var todo []*body
		for rows.Next() {
			b := &body{}
			if err := rows.Scan(&b.id, &b.body); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(todo) == 0 {
			return nil
		}
		var wg sync.WaitGroup
		next := make(chan *body, len(todo))
		for _, b := range todo {
			next <- b
		}
		close(next)
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for b := range next {
					b.text = markdown.Text(b.body)
				}
			})
		}
		wg.Wait()
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, b := range todo {
			if _, err := tx.ExecContext(ctx, "UPDATE stories SET body_text = ? WHERE id = ?", b.text, b.id); err != nil {
				tx.Rollback()
				return fmt.Errorf("fill text of story %d: %w", b.id, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
}
