-- A related list's rows are keyed by the story listed, not by position:
-- a neighbour offered into a list then writes its own row (and deletes
-- the one it pushes out) instead of shifting every row below it. An
-- import of 100k stories wrote 2,011,112 rows in 364,068 list writes to
-- keep 799,716. Lists are read best first: by score, then by id.
CREATE TABLE story_related_new (
	story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	related_id INTEGER NOT NULL,
	score      REAL NOT NULL,
	PRIMARY KEY (story_id, related_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO story_related_new (story_id, related_id, score)
	SELECT r.story_id, r.related_id, r.score FROM story_related r ORDER BY r.story_id, r.position;
DROP TABLE story_related;
ALTER TABLE story_related_new RENAME TO story_related;
CREATE INDEX story_related_related ON story_related (related_id);
