package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// What sqlite/search.go writes its reads with: sqlstore's, by shorter
// names.
const storyFrom = sqlstore.StoryFrom

var (
	visible     = sqlstore.Visible
	cardColumns = sqlstore.CardColumns
	visibleCard = sqlstore.VisibleCard
)

func (db *DB) queryStories(ctx context.Context, query string, args ...any) ([]*news.Story, error) {
	rows, err := db.readQuery(ctx, query, args...)
	list, err := scanAll(rows, err, sqlstore.ScanStory)
	if err != nil {
		return nil, fmt.Errorf("select stories: %w", err)
	}
	return list, nil
}

func scanTags(rows *sql.Rows, err error) ([]news.Tag, error) {
	return sqlstore.ScanTags(sqlRows{rows}, err)
}

// nullable turns "" into NULL for UNIQUE columns where blank means absent.
func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
