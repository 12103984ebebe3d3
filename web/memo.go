package web

import (
	"context"
	"sync"

	"newsdesk/internal/news"
)

// versioned keeps one value read from the store until the data version
// changes: the section list in every page's header and the comment
// settings change rarely but are needed by every page.
type versioned[T any] struct {
	mu      sync.Mutex
	version int64
	ok      bool
	val     T
}

func (v *versioned[T]) get(version int64, load func() (T, error)) (T, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ok && v.version == version {
		return v.val, nil
	}
	val, err := load()
	if err != nil {
		return val, err
	}
	v.val, v.version, v.ok = val, version, true
	return val, nil
}

// navSections returns the sections with visible stories, for page headers.
func (s *Server) navSections(ctx context.Context) ([]news.Section, error) {
	return s.sections.get(s.store.Version(), func() ([]news.Section, error) { return s.store.Sections(ctx) })
}

// commentSettings returns the site's comment rules.
func (s *Server) commentSettings(ctx context.Context) (news.CommentSettings, error) {
	return s.commentSet.get(s.store.Version(), func() (news.CommentSettings, error) { return s.store.CommentSettings(ctx) })
}
