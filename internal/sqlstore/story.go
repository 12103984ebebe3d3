package sqlstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"newsdesk/internal/news"
)

// StoryColumns is the one column list behind every story read; ScanStory
// reads it back.
const StoryColumns = `s.id, s.slug, s.title, s.summary, s.body, s.body_html,
	src.id, src.name, src.slug, coalesce(sec.id, 0), coalesce(sec.name, ''), coalesce(sec.slug, ''),
	coalesce(s.url, ''), coalesce(s.guid, ''), s.author, s.dateline, s.image_url, s.image_alt,
	s.status, s.published_at, s.created_at, s.updated_at, s.key_points, s.reading_minutes,
	s.cluster_id, s.comment_count, s.comments_closed, s.revision, s.deleted_at IS NOT NULL,
	coalesce(si.media_id, ''), coalesce(m.width, 0), coalesce(m.height, 0), coalesce(si.caption, ''), coalesce(si.credit, '')`

// CardColumns is StoryColumns without the bodies, for lists of cards.
var CardColumns = strings.Replace(StoryColumns, "s.body, s.body_html", "'', ''", 1)

// StoryFrom joins what StoryColumns reads to stories s.
const StoryFrom = ` FROM stories s
	JOIN sources src ON src.id = s.source_id
	LEFT JOIN sections sec ON sec.id = s.section_id
	LEFT JOIN story_images si ON si.story_id = s.id
	LEFT JOIN media m ON m.id = si.media_id`

// Listed is the condition, on the story aliased a, for a version that
// lists show once its time has come: neither trashed nor a draft.
func Listed(a string) string { return " " + a + ".deleted_at IS NULL AND " + a + ".status != 'draft'" }

// Visible is the condition for a story readers may see; its one argument
// is the current Unix time. A scheduled story whose time has come is
// visible even before the publisher ticker flips its status.
var Visible = Listed("s") + " AND s.published_at <= ?"

// One story, one card: lists show of each story cluster one version, the
// visible member ranked first (stories.cluster_rank, 0 for the lead)
// among those the list selects. FirstOf is that condition for a list
// whose filter, written on the other member o, is given: "" for every
// story. Its one argument is the current Unix time.
//
// Ranks are never negative, so a story ranked 0, as nearly every story
// is (the lead, or alone in its cluster), is first without looking at
// the others: the database skips the lookup of its cluster's members,
// which for a search ranking a few hundred matches was a random page
// read each (docs/PERFORMANCE.md).
func FirstOf(filter string) string {
	return ` (s.cluster_rank = 0 OR NOT EXISTS (SELECT 1 FROM stories o WHERE o.cluster_id = s.cluster_id
	AND o.cluster_rank < s.cluster_rank AND` + Listed("o") + ` AND o.published_at <= ?` + filter + `))`
}

// VisibleCard is Visible narrowed to one card per cluster: two arguments,
// the current Unix time twice.
var VisibleCard = Visible + " AND" + FirstOf("")

// ScanStory scans a row of StoryColumns or CardColumns.
func ScanStory(row Row) (*news.Story, error) { return ScanStoryText(row, false) }

// ScanStoryText is ScanStory for a column list followed by the body's
// plain text when withText, then by columns
// scanned into extra.
func ScanStoryText(row Row, withText bool, extra ...any) (*news.Story, error) {
	var s news.Story
	var pub, created, updated int64
	var keyPoints string
	dest := []any{&s.ID, &s.Slug, &s.Title, &s.Summary, &s.Body, &s.BodyHTML,
		&s.Source.ID, &s.Source.Name, &s.Source.Slug, &s.Section.ID, &s.Section.Name, &s.Section.Slug,
		&s.URL, &s.GUID, &s.Author, &s.Dateline, &s.ImageURL, &s.ImageAlt,
		&s.Status, &pub, &created, &updated, &keyPoints, &s.ReadingMinutes,
		&s.ClusterID, &s.CommentCount, &s.CommentsClosed, &s.Revision, &s.Trashed,
		&s.Image.ID, &s.Image.Width, &s.Image.Height, &s.ImageCaption, &s.ImageCredit}
	if withText {
		dest = append(dest, &s.Text)
	}
	err := row.Scan(append(dest, extra...)...)
	if err != nil {
		return nil, err
	}
	s.PublishedAt, s.CreatedAt, s.UpdatedAt = FromUnix(pub), FromUnix(created), FromUnix(updated)
	if keyPoints == "[]" {
		return &s, nil
	}
	if err := json.Unmarshal([]byte(keyPoints), &s.KeyPoints); err != nil {
		return nil, fmt.Errorf("story %d key points: %w", s.ID, err)
	}
	return &s, nil
}

// TagsOfStory selects a story's tags in their order.
const TagsOfStory = `SELECT t.id, t.name, t.slug FROM story_tags st
	JOIN tags t ON t.id = st.tag_id WHERE st.story_id = ? ORDER BY st.position`

// tagListColumn is the tags of story s as a column of its row, as
// parseTagList reads them: in their order, each its id, slug and name
// joined by a unit separator (U+001F), one from the next by a record
// separator (U+001E). A slug is letters, digits and dashes; a name has
// no control characters (news.NewTags, Desk.Rename), and replace() keeps
// the record separator out of one stored before it had none. The
// statement is the same in SQLite and PostgreSQL.
const tagListColumn = "coalesce((SELECT string_agg(t.id || '\x1f' || t.slug || '\x1f' || replace(t.name, '\x1e', ' '), '\x1e' ORDER BY st.position)" +
	" FROM story_tags st JOIN tags t ON t.id = st.tag_id WHERE st.story_id = s.id), '')"

// parseTagList reads what tagListColumn selects.
func parseTagList(list string) ([]news.Tag, error) {
	if list == "" {
		return nil, nil
	}
	tags := make([]news.Tag, 0, strings.Count(list, "\x1e")+1)
	for rec := range strings.SplitSeq(list, "\x1e") {
		id, rest, ok1 := strings.Cut(rec, "\x1f")
		slug, name, ok2 := strings.Cut(rest, "\x1f")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok1 || !ok2 || err != nil {
			return nil, fmt.Errorf("tags: malformed %q", rec)
		}
		tags = append(tags, news.Tag{ID: n, Name: name, Slug: slug})
	}
	return tags, nil
}
