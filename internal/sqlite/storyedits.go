package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"newsdesk/internal/news"
)

// What an editor changes on an imported story stays the editor's: a feed
// update (a poll, or an import of a corrected file) never changes a
// story's status, and leaves every field an editor changed as it is.
// story_edits keeps, beside each story, the fingerprint of what the feed
// last gave (so an edited story is still recognised as unchanged upstream),
// the fields an editor changed, and when readers last saw it change.

// editorField is one field of a story as an editor edits it.
type editorField struct {
	name string
	same func(a, b *news.Story) bool
	keep func(dst, src *news.Story) // copy the field from src into dst
}

var editorFields = []editorField{
	{"title", func(a, b *news.Story) bool { return a.Title == b.Title }, func(d, s *news.Story) { d.Title = s.Title }},
	{"summary", func(a, b *news.Story) bool { return a.Summary == b.Summary }, func(d, s *news.Story) { d.Summary = s.Summary }},
	{"body", func(a, b *news.Story) bool { return a.Body == b.Body }, func(d, s *news.Story) { d.Body = s.Body }},
	{"source", func(a, b *news.Story) bool { return a.Source.Name == b.Source.Name }, func(d, s *news.Story) { d.Source = s.Source }},
	{"author", func(a, b *news.Story) bool { return a.Author == b.Author }, func(d, s *news.Story) { d.Author = s.Author }},
	{"dateline", func(a, b *news.Story) bool { return a.Dateline == b.Dateline }, func(d, s *news.Story) { d.Dateline = s.Dateline }},
	{"section", func(a, b *news.Story) bool { return a.Section.Name == b.Section.Name }, func(d, s *news.Story) { d.Section = s.Section }},
	{"tags", func(a, b *news.Story) bool { return slices.Equal(tagSlugs(a), tagSlugs(b)) }, func(d, s *news.Story) { d.Tags = s.Tags }},
	{"image", func(a, b *news.Story) bool {
		return a.ImageURL == b.ImageURL && a.ImageAlt == b.ImageAlt && a.Image.ID == b.Image.ID &&
			a.ImageCaption == b.ImageCaption && a.ImageCredit == b.ImageCredit
	}, func(d, s *news.Story) {
		d.ImageURL, d.ImageAlt, d.Image, d.ImageCaption, d.ImageCredit = s.ImageURL, s.ImageAlt, s.Image, s.ImageCaption, s.ImageCredit
	}},
	{"published_at", func(a, b *news.Story) bool { return a.PublishedAt.Equal(b.PublishedAt) }, func(d, s *news.Story) { d.PublishedAt = s.PublishedAt }},
}

func tagSlugs(s *news.Story) []string {
	out := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		out[i] = t.Slug
	}
	return out
}

// feedHashExpr is the fingerprint an import compares with: what the feed
// last gave, or for stories stored before story_edits, the story's own.
const feedHashExpr = "coalesce(nullif((SELECT e.feed_hash FROM story_edits e WHERE e.story_id = s.id), ''), s.content_hash)"

// storedStory is what an import needs to know of the story it updates.
type storedStory struct {
	id           int64
	slug         string
	feedHash     string
	trashed      bool
	editorFields []string
}

// storedByKey looks up the story an import item matches (by URL, else
// GUID); id is 0 when there is none.
func (w *writer) storedByKey(ctx context.Context, s *news.Story) (storedStory, error) {
	var st storedStory
	key, val := storyKey(s)
	if val == "" {
		return st, nil
	}
	var fields string
	err := w.queryRow(ctx, "SELECT s.id, s.slug, "+feedHashExpr+`, s.deleted_at IS NOT NULL,
		coalesce((SELECT e.editor_fields FROM story_edits e WHERE e.story_id = s.id), '')
		FROM stories s WHERE s.`+key+" = ?", val).Scan(&st.id, &st.slug, &st.feedHash, &st.trashed, &fields)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	} else if err != nil {
		return st, fmt.Errorf("select story by %s: %w", key, err)
	}
	if fields != "" {
		st.editorFields = strings.Split(fields, ",")
	}
	return st, nil
}

// storedStoryByID reads story id with its tags inside the transaction.
func (w *writer) storedStoryByID(ctx context.Context, id int64) (*news.Story, error) {
	old, err := scanStory(w.queryRow(ctx, "SELECT "+storyColumns+storyFrom+" WHERE s.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("select story %d: %w", id, err)
	}
	if old.Tags, err = scanTags(w.query(ctx, tagsOfStory, id)); err != nil {
		return nil, err
	}
	return old, nil
}

// keepEditorsWork turns the feed's new version s of stored story old into
// what is saved: the story's status, and every field an editor changed,
// stay as stored. It reports whether s changed, so that what was derived
// from the feed's text is derived again.
func keepEditorsWork(s, old *news.Story, fields []string) bool {
	changed := s.Status != old.Status
	s.Status = old.Status
	s.CommentsClosed = old.CommentsClosed
	for _, f := range editorFields {
		if slices.Contains(fields, f.name) && !f.same(s, old) {
			f.keep(s, old)
			changed = true
		}
	}
	return changed
}

// feedHashOf returns the fingerprint an import compares story id with.
// Read before an editor's save: that save replaces content_hash, and the
// fingerprint must stay the feed's.
func (w *writer) feedHashOf(ctx context.Context, id int64) (string, error) {
	var h string
	if err := w.queryRow(ctx, "SELECT "+feedHashExpr+" FROM stories s WHERE s.id = ?", id).Scan(&h); err != nil {
		return "", fmt.Errorf("select fingerprint of story %d: %w", id, err)
	}
	return h, nil
}

// recordEditorSave notes what an editor's save s of stored story old
// changed: those fields become the editor's, and readers see "Updated"
// when they could see the story before. feedHash is the story's
// fingerprint from before the save.
func (w *writer) recordEditorSave(ctx context.Context, s, old *news.Story, feedHash string) error {
	fields, err := w.editorFieldsOf(ctx, s.ID)
	if err != nil {
		return err
	}
	changed := changedFields(s, old)
	for _, f := range changed {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	return w.recordEdits(ctx, s.ID, feedHash, fields, len(changed) > 0 && w.seenByReaders(old))
}

// recordEdits writes story id's row of story_edits. An empty feedHash
// keeps the stored one; revised says readers saw the story change now.
func (w *writer) recordEdits(ctx context.Context, id int64, feedHash string, fields []string, revised bool) error {
	var revisedAt any
	if revised {
		revisedAt = unix(w.db.Now())
	}
	_, err := w.exec(ctx, `INSERT INTO story_edits (story_id, feed_hash, editor_fields, revised_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (story_id) DO UPDATE SET
			feed_hash = CASE WHEN excluded.feed_hash = '' THEN feed_hash ELSE excluded.feed_hash END,
			editor_fields = excluded.editor_fields,
			revised_at = coalesce(excluded.revised_at, revised_at)`,
		id, feedHash, strings.Join(fields, ","), revisedAt)
	if err != nil {
		return fmt.Errorf("record edits of story %d: %w", id, err)
	}
	return nil
}

// editorFieldsOf returns the fields an editor changed on story id.
func (w *writer) editorFieldsOf(ctx context.Context, id int64) ([]string, error) {
	var fields string
	err := w.queryRow(ctx, "SELECT editor_fields FROM story_edits WHERE story_id = ?", id).Scan(&fields)
	if errors.Is(err, sql.ErrNoRows) || fields == "" {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("select edits of story %d: %w", id, err)
	}
	return strings.Split(fields, ","), nil
}

// seenByReaders reports whether readers could see story old before now.
func (w *writer) seenByReaders(old *news.Story) bool {
	return !old.Trashed && old.Status != news.StatusDraft && !old.PublishedAt.After(w.db.Now())
}

// updateFromFeed saves a feed's changed version s of stored story st: the
// editor's status and fields stay, the story keeps a revision (the one
// before the update too, when imports never kept one), and readers see
// "Updated" when they could see the story before.
func (w *writer) updateFromFeed(ctx context.Context, s *news.Story, st storedStory, p prepared) error {
	old, err := w.storedStoryByID(ctx, st.id)
	if err != nil {
		return err
	}
	feedHash := p.hash
	if keepEditorsWork(s, old, st.editorFields) || !p.derived {
		p = prepare(s)
	}
	p.hash = contentHash(s)
	s.Slug, s.Trashed = old.Slug, old.Trashed
	if err := w.keepRevisionIfMissing(ctx, old); err != nil {
		return err
	}
	if err := w.save(ctx, s, st.id, p); err != nil {
		return err
	}
	s.Revision = old.Revision + 1
	if _, err := w.exec(ctx, "UPDATE stories SET revision = ? WHERE id = ?", s.Revision, s.ID); err != nil {
		return fmt.Errorf("bump revision of story %d: %w", s.ID, err)
	}
	if err := w.keepRevision(ctx, s, 0); err != nil {
		return err
	}
	return w.recordEdits(ctx, s.ID, feedHash, st.editorFields, w.seenByReaders(old))
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

// revisedAt returns when readers last saw story id change, or the zero
// time when they never did.
func (db *DB) revisedAt(ctx context.Context, id int64) (time.Time, error) {
	var t int64
	err := db.readQueryRow(ctx, "SELECT coalesce(revised_at, 0) FROM story_edits WHERE story_id = ?", id).Scan(&t)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("select revision time of story %d: %w", id, err)
	}
	return optUnix(t), nil
}

// changedFields returns the names of the fields in which s differs from old.
func changedFields(s, old *news.Story) []string {
	var out []string
	for _, f := range editorFields {
		if !f.same(s, old) {
			out = append(out, f.name)
		}
	}
	return out
}

// allEditorFields names every field: a story written in the newsroom is
// the editor's through and through.
func allEditorFields() []string {
	out := make([]string, len(editorFields))
	for i, f := range editorFields {
		out[i] = f.name
	}
	return out
}
