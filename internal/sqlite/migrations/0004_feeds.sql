-- Feeds that serve polls, one or more per source. Times are Unix seconds,
-- UTC; NULL when it never happened.
CREATE TABLE feeds (
	id               INTEGER PRIMARY KEY,
	source_id        INTEGER NOT NULL REFERENCES sources (id),
	url              TEXT NOT NULL UNIQUE,
	interval_seconds INTEGER NOT NULL,
	etag             TEXT NOT NULL DEFAULT '',
	last_modified    TEXT NOT NULL DEFAULT '',
	created_at       INTEGER NOT NULL,
	last_fetch_at    INTEGER,
	last_status      INTEGER NOT NULL DEFAULT 0,
	last_error       TEXT NOT NULL DEFAULT '',
	last_rejected    TEXT NOT NULL DEFAULT '',
	last_success_at  INTEGER,
	failures         INTEGER NOT NULL DEFAULT 0,
	failing_since    INTEGER,
	next_fetch_at    INTEGER NOT NULL,
	items_added      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feeds_source ON feeds (source_id);

-- What imports and editors did to a story, beside it rather than in new
-- columns of stories (see 0005: columns after the bodies slow every list).
CREATE TABLE story_edits (
	story_id      INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
	-- The fingerprint of what a feed or import last gave, so a story an
	-- editor changed is still recognised as unchanged upstream.
	feed_hash     TEXT NOT NULL DEFAULT '',
	-- The fields an editor changed, comma-separated ("title,body"): a feed
	-- update leaves them as the editor wrote them.
	editor_fields TEXT NOT NULL DEFAULT '',
	-- When readers last saw the story change (the article's "Updated
	-- 10:42"); NULL when it never did.
	revised_at    INTEGER
);
