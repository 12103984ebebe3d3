CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
	password_hash TEXT NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
);

-- Sessions are stored by the SHA-256 of their token: a copy of the
-- database does not hand out live sessions.
CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	seen_at    INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Every save of a story keeps what was saved.
CREATE TABLE story_revisions (
	id         INTEGER PRIMARY KEY,
	story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	revision   INTEGER NOT NULL,
	user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	snapshot   TEXT NOT NULL, -- JSON of the editable fields
	UNIQUE (story_id, revision)
);

CREATE INDEX stories_status ON stories (status, published_at);
CREATE INDEX stories_deleted ON stories (deleted_at) WHERE deleted_at IS NOT NULL;
