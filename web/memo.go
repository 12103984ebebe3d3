package web

import (
	"context"
	"sync"
	"time"

	"newsdesk/internal/news"
)

// versioned keeps one value read from the store until the data version
// changes: the section list in every page's header and the comment
// settings change rarely but are needed by every page.
type versioned[T any] struct {
	mu      sync.Mutex
	version int64
	at      time.Time
	ok      bool
	val     T
}

func (v *versioned[T]) get(version int64, load func() (T, error)) (T, error) {
	return v.getFresh(version, time.Time{}, 0, load)
}

// getFresh is get for values that also age: they are reloaded after
// maxAge even when no write happened.
func (v *versioned[T]) getFresh(version int64, now time.Time, maxAge time.Duration, load func() (T, error)) (T, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ok && v.version == version && (maxAge == 0 || now.Sub(v.at) < maxAge) {
		return v.val, nil
	}
	val, err := load()
	if err != nil {
		return val, err
	}
	v.val, v.version, v.at, v.ok = val, version, now, true
	return val, nil
}

// location returns the newsroom's time zone; UTC when the setting cannot
// be read, so a page still renders.
func (s *Server) location(ctx context.Context) *time.Location {
	loc, err := s.zone.get(s.store.Version(), func() (*time.Location, error) {
		name, err := s.store.TimeZone(ctx)
		if err != nil {
			return nil, err
		}
		return time.LoadLocation(name)
	})
	if err != nil {
		return time.UTC
	}
	return loc
}

// navSections returns the sections with visible stories, for page headers.
func (s *Server) navSections(ctx context.Context) ([]news.Section, error) {
	return s.sections.get(s.store.Version(), func() ([]news.Section, error) { return s.store.Sections(ctx) })
}

// commentSettings returns the site's comment rules.
func (s *Server) commentSettings(ctx context.Context) (news.CommentSettings, error) {
	return s.commentSet.get(s.store.Version(), func() (news.CommentSettings, error) { return s.store.CommentSettings(ctx) })
}

// trendingTags returns the front page's trending hashtags; the window
// moves with time, so they are recomputed at least every minute.
func (s *Server) trendingTags(ctx context.Context) ([]news.Tag, error) {
	return s.trending.getFresh(s.store.Version(), s.cfg.Now(), time.Minute, func() ([]news.Tag, error) {
		return s.store.TrendingTags(ctx, trendingWindow, trendingShown)
	})
}

// searchSources returns the sources with visible stories, for the search
// page's filter. A write reloads them; so does a minute passing, in which
// a story published with a time to come may have become visible.
func (s *Server) searchSources(ctx context.Context) ([]news.Source, error) {
	return s.sources.getFresh(s.store.Version(), s.cfg.Now(), time.Minute, func() ([]news.Source, error) {
		return s.store.Sources(ctx)
	})
}
