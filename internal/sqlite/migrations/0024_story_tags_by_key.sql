-- A story's tags are kept by their key (story, tag) alone, without a
-- rowid beside it: each tag a story carries was a row in the table and
-- an entry in its key's index, and is now one entry.
CREATE TABLE story_tags_new (
	story_id     INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	tag_id       INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	position     INTEGER NOT NULL,
	published_at INTEGER NOT NULL, -- copy of the story's, to list a tag newest first from its index
	PRIMARY KEY (story_id, tag_id)
) WITHOUT ROWID;
INSERT INTO story_tags_new (story_id, tag_id, position, published_at)
	SELECT story_id, tag_id, position, published_at FROM story_tags;
DROP TABLE story_tags;
ALTER TABLE story_tags_new RENAME TO story_tags;
CREATE INDEX story_tags_tag ON story_tags (tag_id, published_at DESC);
CREATE INDEX story_tags_published ON story_tags (published_at);
