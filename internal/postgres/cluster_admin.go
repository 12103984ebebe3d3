package postgres

import (
	"context"

	"newsdesk/internal/sqlstore"
	"newsdesk/internal/store"
)

// Editors' overrides of story clusters and original sources: the
// statements are sqlstore's; the store adds that every page changes.

// SaveOverride records an editor's override of the clusters, with the
// changes desk decided for it.
func (db *DB) SaveOverride(ctx context.Context, o store.Override, ch store.Changes) error {
	return db.storyTx(ctx, ch, func(w *tx) error {
		w.keys.All() // an editor's rare override: every page goes
		return sqlstore.SaveOverride(ctx, w, o, unix(w.db.Now()))
	})
}

// SaveSourceOriginal marks source id original or not, with the new
// ranks of the clusters holding its stories.
func (db *DB) SaveSourceOriginal(ctx context.Context, id int64, original bool, ch store.Changes) error {
	return db.storyTx(ctx, ch, func(w *tx) error {
		w.keys.All() // leads change across clusters: every page goes
		return sqlstore.SaveSourceOriginal(ctx, w, id, original)
	})
}
