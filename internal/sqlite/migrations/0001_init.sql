-- Times are Unix seconds, UTC.

CREATE TABLE sources (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	slug TEXT NOT NULL UNIQUE
);

CREATE TABLE sections (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	slug TEXT NOT NULL UNIQUE
);

CREATE TABLE tags (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	slug TEXT NOT NULL UNIQUE
);

-- The bodies come last: SQLite reads a row's columns in order, so small
-- columns placed after a long body would drag its overflow pages into
-- every list and filter.
CREATE TABLE stories (
	id              INTEGER PRIMARY KEY,
	slug            TEXT NOT NULL UNIQUE,
	title           TEXT NOT NULL,
	summary         TEXT NOT NULL DEFAULT '',
	source_id       INTEGER NOT NULL REFERENCES sources (id),
	section_id      INTEGER REFERENCES sections (id),
	url             TEXT UNIQUE,
	guid            TEXT UNIQUE,
	author          TEXT NOT NULL DEFAULT '',
	dateline        TEXT NOT NULL DEFAULT '',
	image_url       TEXT NOT NULL DEFAULT '',
	image_alt       TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
	published_at    INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	deleted_at      INTEGER,
	reading_minutes INTEGER NOT NULL DEFAULT 1,
	cluster_id      INTEGER NOT NULL DEFAULT 0,
	comment_count   INTEGER NOT NULL DEFAULT 0,
	comments_closed INTEGER NOT NULL DEFAULT 0,
	revision        INTEGER NOT NULL DEFAULT 1,
	content_hash    TEXT NOT NULL DEFAULT '',
	key_points      TEXT NOT NULL DEFAULT '[]', -- JSON array of sentences
	body            TEXT NOT NULL,
	body_html       TEXT NOT NULL
);
CREATE INDEX stories_published ON stories (published_at DESC);
CREATE INDEX stories_source ON stories (source_id, published_at DESC);
CREATE INDEX stories_section ON stories (section_id, published_at DESC);
CREATE INDEX stories_cluster ON stories (cluster_id);

CREATE TABLE story_tags (
	story_id     INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	tag_id       INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	position     INTEGER NOT NULL,
	published_at INTEGER NOT NULL, -- copy of the story's, to list a tag newest first from its index
	PRIMARY KEY (story_id, tag_id)
);
CREATE INDEX story_tags_tag ON story_tags (tag_id, published_at DESC);
CREATE INDEX story_tags_published ON story_tags (published_at);

-- What the related index keeps of a story (internal/related), so serve
-- can rebuild it without re-reading every body.
CREATE TABLE story_vectors (
	story_id INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
	terms    TEXT NOT NULL,
	minhash  BLOB NOT NULL
);

-- Related stories, computed on write: up to 8 per story, best first.
CREATE TABLE story_related (
	story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	related_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	score      REAL NOT NULL,
	PRIMARY KEY (story_id, position)
);
CREATE INDEX story_related_related ON story_related (related_id);

CREATE TABLE comments (
	id          INTEGER PRIMARY KEY,
	story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	email       TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL,
	status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),
	ip_hash     TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
);
CREATE INDEX comments_story ON comments (story_id, status, created_at);

-- Full-text index of stories; rowid is the story id. Contentless: the text
-- lives in stories, snippets are cut from there. state is "live" for
-- published stories not in the trash, so reader searches filter inside the
-- index instead of looking up every match's row.
CREATE VIRTUAL TABLE stories_fts USING fts5 (
	title, summary, body, tags, source, state,
	content = '', contentless_delete = 1,
	tokenize = 'porter unicode61 remove_diacritics 2'
);

-- A counter bumped by every write transaction, so that servers can tell
-- their cached pages are out of date, even after another process wrote.
CREATE TABLE meta (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);
INSERT INTO meta (id, version) VALUES (1, 1);
