// Package demo bundles the stories a fresh site starts with, so that
// `newsdesk serve` on an empty database shows a living front page.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"time"

	"newsdesk/internal/ingest"
	"newsdesk/internal/media"
	"newsdesk/internal/news"
)

//go:embed stories.ndjson
var stories []byte

// Stories returns the demo stories with their times moved so that the
// newest was published at now and the rest keep their spacing.
func Stories(now time.Time) ([]*news.Story, error) {
	items, err := ingest.NDJSON(bytes.NewReader(stories), "Newsdesk")
	if err != nil {
		return nil, err
	}
	var out []*news.Story
	var newest time.Time
	for _, it := range items {
		if it.Err != nil {
			return nil, fmt.Errorf("demo line %d: %w", it.Pos, it.Err)
		}
		out = append(out, it.Story)
		if it.Story.PublishedAt.After(newest) {
			newest = it.Story.PublishedAt
		}
	}
	shift := now.Truncate(time.Minute).Sub(newest)
	for _, s := range out {
		s.PublishedAt = s.PublishedAt.Add(shift)
	}
	return out, nil
}

// Load writes the demo stories to store, each with a picture drawn for it
// when pics is not nil.
func Load(ctx context.Context, store ingest.Store, pics *media.Pictures, now time.Time) (int, error) {
	list, err := Stories(now)
	if err != nil {
		return 0, err
	}
	if pics != nil {
		if err := illustrate(ctx, pics, list); err != nil {
			return 0, fmt.Errorf("demo pictures: %w", err)
		}
	}
	if _, err := store.UpsertStories(ctx, list); err != nil {
		return 0, err
	}
	return len(list), nil
}
