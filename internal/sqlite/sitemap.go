package sqlite

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"newsdesk/internal/news"
	"newsdesk/internal/sqlstore"
)

// FillTags loads the tags of every story in list with one query.
func (db *DB) FillTags(ctx context.Context, list []*news.Story) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*news.Story, len(list))
	args := make([]any, len(list))
	for i, s := range list {
		byID[s.ID] = s
		args[i] = s.ID
		s.Tags = nil
	}
	type storyTag struct {
		story int64
		tag   news.Tag
	}
	rows, err := queryAll(ctx, db, func(row scanner) (storyTag, error) {
		var st storyTag
		return st, row.Scan(&st.story, &st.tag.ID, &st.tag.Name, &st.tag.Slug)
	}, `SELECT st.story_id, t.id, t.name, t.slug FROM story_tags st
		JOIN tags t ON t.id = st.tag_id WHERE st.story_id IN (?`+strings.Repeat(", ?", len(list)-1)+`)
		ORDER BY st.story_id, st.position`, args...)
	if err != nil {
		return fmt.Errorf("select tags: %w", err)
	}
	for _, r := range rows {
		byID[r.story].Tags = append(byID[r.story].Tags, r.tag)
	}
	return nil
}

// StoryMonths returns the months that have visible stories, newest first.
func (db *DB) StoryMonths(ctx context.Context) ([]news.Month, error) {
	list, err := queryAll(ctx, db, func(row scanner) (news.Month, error) {
		var m news.Month
		var last int64
		err := row.Scan(&m.Year, &m.Month, &m.Count, &last)
		m.LastMod = fromUnix(last)
		return m, err
	}, `SELECT strftime('%Y', s.published_at, 'unixepoch') AS y,
		strftime('%m', s.published_at, 'unixepoch') AS m, count(*), max(max(s.updated_at, s.published_at))
		FROM stories s WHERE`+sqlstore.Visible+` GROUP BY y, m ORDER BY y DESC, m DESC`, unix(db.Now()))
	if err != nil {
		return nil, fmt.Errorf("select story months: %w", err)
	}
	return list, nil
}

// ListPages returns every tag, source and section page that has visible
// stories, with the time of its newest story.
func (db *DB) ListPages(ctx context.Context) ([]news.ListPage, error) {
	list, err := queryAll(ctx, db, func(row scanner) (news.ListPage, error) {
		var p news.ListPage
		var last int64
		err := row.Scan(&p.Path, &last)
		p.LastMod = fromUnix(last)
		return p, err
	}, `
		SELECT '/sections/' || sec.slug, max(s.published_at) FROM stories s JOIN sections sec ON sec.id = s.section_id
		WHERE`+sqlstore.Visible+` GROUP BY sec.id
		UNION ALL
		SELECT '/sources/' || src.slug, max(s.published_at) FROM stories s JOIN sources src ON src.id = s.source_id
		WHERE`+sqlstore.Visible+` GROUP BY src.id
		UNION ALL
		SELECT '/tags/' || t.slug, max(s.published_at) FROM story_tags st JOIN tags t ON t.id = st.tag_id
		JOIN stories s ON s.id = st.story_id WHERE`+sqlstore.Visible+` GROUP BY t.id
		ORDER BY 1`, unix(db.Now()), unix(db.Now()), unix(db.Now()))
	if err != nil {
		return nil, fmt.Errorf("select list pages: %w", err)
	}
	return list, nil
}

// FillBodies loads the Markdown and HTML bodies of every story in list,
// which lists of cards leave out, with one query.
func (db *DB) FillBodies(ctx context.Context, list []*news.Story) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64][]*news.Story, len(list))
	args := make([]any, len(list))
	for i, s := range list {
		byID[s.ID] = append(byID[s.ID], s)
		args[i] = s.ID
	}
	type bodies struct {
		id         int64
		body, html string
	}
	rows, err := queryAll(ctx, db, func(row scanner) (bodies, error) {
		var b bodies
		return b, row.Scan(&b.id, &b.body, &b.html)
	}, `SELECT id, body, body_html FROM stories WHERE id IN (?`+strings.Repeat(", ?", len(list)-1)+`)`, args...)
	if err != nil {
		return fmt.Errorf("select bodies: %w", err)
	}
	for _, b := range rows {
		for _, s := range byID[b.id] {
			s.Body, s.BodyHTML = b.body, b.html
		}
	}
	return nil
}

// FeedIdentity returns the prefix of the site's Atom ids, a tag URI
// (RFC 4151) minted on first use from authority (the host the site was
// first served as) and that day, and the time it was minted. It is kept in
// the database, so ids stay the same when the site moves to another
// address, as RFC 4287 requires of them.
func (db *DB) FeedIdentity(ctx context.Context, authority string) (string, time.Time, error) {
	vals, err := db.Settings(ctx, "atom_id", "atom_id_minted")
	if err != nil {
		return "", time.Time{}, err
	}
	if vals[0] == "" {
		now := db.Now().UTC()
		b := make([]byte, 4)
		rand.Read(b)
		// The random part keeps two sites first served as the same host
		// (localhost, say) on the same day apart.
		id := fmt.Sprintf("tag:%s,%s:%x/", authority, now.Format(time.DateOnly), b)
		if _, err := db.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('atom_id', ?), ('atom_id_minted', ?)
			ON CONFLICT (key) DO NOTHING`, id, now.Format(time.RFC3339)); err != nil {
			return "", time.Time{}, fmt.Errorf("save feed identity: %w", err)
		}
		if vals, err = db.Settings(ctx, "atom_id", "atom_id_minted"); err != nil {
			return "", time.Time{}, err
		}
	}
	minted, err := time.Parse(time.RFC3339, vals[1])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("feed identity time %q: %w", vals[1], err)
	}
	return vals[0], minted, nil
}
