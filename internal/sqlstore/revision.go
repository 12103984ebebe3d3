package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"newsdesk/internal/news"
)

// StoryByID returns story id in any state, trashed ones included, with
// its tags and revision number.
func (r Reads) StoryByID(ctx context.Context, id int64) (*news.Story, error) {
	s, err := ScanStory(r.Q.QueryRow(ctx, "SELECT "+StoryColumns+StoryFrom+" WHERE s.id = ?", id))
	if err != nil {
		return nil, NotFound(err, "Story %d not found.", id)
	}
	if s.Tags, err = ScanTags(r.Q.Query(ctx, TagsOfStory, s.ID)); err != nil {
		return nil, err
	}
	return s, nil
}

// Snapshot is what a revision keeps of a story (story_revisions.snapshot,
// as JSON).
type Snapshot struct {
	Title, Slug, Summary, Body, Source, URL, Author, Dateline, Section string
	Tags                                                               []string
	ImageURL, ImageAlt, Status                                         string
	PublishedAt                                                        int64
	// The picture, by id: restoring a revision whose picture has since
	// been replaced (and so removed) restores the story without one.
	ImageID, ImageCaption, ImageCredit string `json:",omitempty"`
}

// selectRevisions reads what scanRevision scans.
const selectRevisions = `SELECT r.id, r.story_id, r.revision, coalesce(u.name, ''), r.created_at, r.snapshot
		FROM story_revisions r LEFT JOIN users u ON u.id = r.user_id`

// Revisions returns the saved versions of story id, newest first.
func (r Reads) Revisions(ctx context.Context, storyID int64) ([]news.Revision, error) {
	return QueryAll(ctx, r.Q, scanRevision, selectRevisions+` WHERE r.story_id = ? ORDER BY r.revision DESC`, storyID)
}

// Revision returns one saved version of a story.
func (r Reads) Revision(ctx context.Context, storyID int64, number int) (news.Revision, error) {
	rev, err := scanRevision(r.Q.QueryRow(ctx, selectRevisions+` WHERE r.story_id = ? AND r.revision = ?`, storyID, number))
	return rev, NotFound(err, "Revision %d of story %d not found.", number, storyID)
}

func scanRevision(row Row) (news.Revision, error) {
	var r news.Revision
	var created int64
	var raw string
	if err := row.Scan(&r.ID, &r.StoryID, &r.Number, &r.UserName, &created, &raw); err != nil {
		return r, err
	}
	r.CreatedAt = FromUnix(created)
	var snap Snapshot
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		return r, fmt.Errorf("revision %d: %w", r.ID, err)
	}
	r.Story = news.Story{ID: r.StoryID, Title: snap.Title, Slug: snap.Slug, Summary: snap.Summary, Body: snap.Body,
		Source: news.Source{Name: snap.Source}, URL: snap.URL, Author: snap.Author, Dateline: snap.Dateline,
		Section: news.Section{Name: snap.Section}, Tags: news.NewTags(snap.Tags), ImageURL: snap.ImageURL,
		ImageAlt: snap.ImageAlt, Status: snap.Status, PublishedAt: FromUnix(snap.PublishedAt), Revision: r.Number,
		Image: news.Image{ID: snap.ImageID}, ImageCaption: snap.ImageCaption, ImageCredit: snap.ImageCredit}
	return r, nil
}
