package postgres

import (
	"context"
	"fmt"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// The column list, joins and visibility rules every story read is
// written with, and its scan: sqlstore's, by shorter names.
const (
	storyColumns = sqlstore.StoryColumns
	storyFrom    = sqlstore.StoryFrom
	tagsOfStory  = sqlstore.TagsOfStory
)

var (
	visible       = sqlstore.Visible
	cardColumns   = sqlstore.CardColumns
	firstOf       = sqlstore.FirstOf
	scanStory     = sqlstore.ScanStory
	scanStoryText = sqlstore.ScanStoryText
)

func (db *DB) queryStories(ctx context.Context, query string, args ...any) ([]*news.Story, error) {
	return queryStoriesOn(ctx, db.pool, query, args...)
}

// queryStoriesOn is queryStories on q.
func queryStoriesOn(ctx context.Context, q querier, query string, args ...any) ([]*news.Story, error) {
	list, err := queryAll(ctx, q, func(row scanner) (*news.Story, error) { return scanStory(row) }, query, args...)
	if err != nil {
		return nil, fmt.Errorf("select stories: %w", err)
	}
	return list, nil
}

func storyTags(ctx context.Context, q querier, id int64) ([]news.Tag, error) {
	rows, err := q.Query(ctx, rebind(tagsOfStory), id)
	return scanTags(rows, err)
}
