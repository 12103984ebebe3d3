-- Related lists are rewritten on nearly every write: an import of 500
-- stories rewrites some 1,900 lists. Rows are kept by (story, position)
-- alone, without a rowid beside the key, and a listed story is not looked
-- up in stories on every insert: emptying the trash deletes the rows
-- naming the stories it deletes (SaveEmptyTrash), the only place a story
-- is deleted. A list's own story keeps its cascade.
CREATE TABLE story_related_new (
	story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	related_id INTEGER NOT NULL,
	score      REAL NOT NULL,
	PRIMARY KEY (story_id, position)
) WITHOUT ROWID;
INSERT INTO story_related_new (story_id, position, related_id, score)
	SELECT r.story_id, r.position, r.related_id, r.score FROM story_related r;
DROP TABLE story_related;
ALTER TABLE story_related_new RENAME TO story_related;
CREATE INDEX story_related_related ON story_related (related_id);
