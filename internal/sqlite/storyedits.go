package sqlite

import (
	"context"
	"fmt"
	"slices"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
	"newsdesk/internal/store"
)

// What an editor changes on an imported story stays the editor's: a feed
// update (a poll, or an import of a corrected file) never changes a
// story's status, and leaves every field an editor changed as it is.
// story_edits keeps, beside each story, the fingerprint of what the feed
// last gave (so an edited story is still recognised as unchanged upstream),
// the fields an editor changed, and when readers last saw it change.

// storedStoryByID reads story id with its tags inside the transaction.
func (w *writer) storedStoryByID(ctx context.Context, id int64) (*news.Story, error) {
	old, err := sqlstore.ScanStory(w.queryRow(ctx, "SELECT "+sqlstore.StoryColumns+sqlstore.StoryFrom+" WHERE s.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("select story %d: %w", id, err)
	}
	if old.Tags, err = scanTags(w.query(ctx, sqlstore.TagsOfStory, id)); err != nil {
		return nil, err
	}
	return old, nil
}

// feedHashOf returns the fingerprint an import compares story id with.
// Read before an editor's save: that save replaces content_hash, and the
// fingerprint must stay the feed's.
func (w *writer) feedHashOf(ctx context.Context, id int64) (string, error) {
	var h string
	if err := w.queryRow(ctx, "SELECT "+sqlstore.FeedHash+" FROM stories s WHERE s.id = ?", id).Scan(&h); err != nil {
		return "", fmt.Errorf("select fingerprint of story %d: %w", id, err)
	}
	return h, nil
}

// recordEditorSave notes what an editor's save s of stored story old
// changed: those fields become the editor's, and readers see "Updated"
// when they could see the story before. feedHash is the story's
// fingerprint from before the save.
func (w *writer) recordEditorSave(ctx context.Context, s, old *news.Story, feedHash string) error {
	fields, err := sqlstore.EditorFieldsOf(ctx, w, s.ID)
	if err != nil {
		return err
	}
	changed := news.ChangedFields(s, old)
	for _, f := range changed {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	return w.recordEdits(ctx, s.ID, feedHash, fields, len(changed) > 0 && w.seenByReaders(old))
}

// recordEdits writes story id's row of story_edits
// (sqlstore.RecordEdits); revised says readers saw the story change now.
func (w *writer) recordEdits(ctx context.Context, id int64, feedHash string, fields []string, revised bool) error {
	var revisedAt any
	if revised {
		revisedAt = unix(w.db.Now())
	}
	return sqlstore.RecordEdits(ctx, w, id, feedHash, fields, revisedAt)
}

// seenByReaders reports whether readers could see story old before now.
func (w *writer) seenByReaders(old *news.Story) bool {
	return !old.Trashed && old.Status != news.StatusDraft && !old.PublishedAt.After(w.db.Now())
}

// updateFromFeed saves a feed's changed version of a stored story, all
// but its vector, as desk made it (the editor's status and fields kept):
// the story keeps a revision (the one before the update too, when imports
// never kept one), and readers see "Updated" when they could see the
// story before.
func (w *writer) updateFromFeed(ctx context.Context, it store.Imported) error {
	s, old := it.Story.Story, it.Old
	if err := w.keepRevisionIfMissing(ctx, old); err != nil {
		return err
	}
	if err := w.writeStory(ctx, it.Story, false); err != nil {
		return err
	}
	s.Revision = old.Revision + 1
	if _, err := w.exec(ctx, "UPDATE stories SET revision = ? WHERE id = ?", s.Revision, s.ID); err != nil {
		return fmt.Errorf("bump revision of story %d: %w", s.ID, err)
	}
	if err := w.keepRevision(ctx, s, 0); err != nil {
		return err
	}
	return w.recordEdits(ctx, s.ID, it.FeedHash, it.EditorFields, w.seenByReaders(old))
}

// keepRevisionIfMissing keeps stored story s as its current revision when
// no revision of that number exists (imported stories start without one).
func (w *writer) keepRevisionIfMissing(ctx context.Context, s *news.Story) error {
	var n int
	if err := w.queryRow(ctx, "SELECT count(*) FROM story_revisions WHERE story_id = ? AND revision = ?", s.ID, s.Revision).Scan(&n); err != nil {
		return fmt.Errorf("look up revision %d of story %d: %w", s.Revision, s.ID, err)
	}
	if n > 0 {
		return nil
	}
	return w.keepRevision(ctx, s, 0)
}
