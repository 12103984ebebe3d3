-- A related list's rows are keyed by the story listed, not by position
-- (SQLite's 0023): a neighbour offered into a list writes its own row
-- instead of shifting every row below it. Lists are read best first: by
-- score, then by id.
DELETE FROM story_related r USING story_related o
	WHERE o.story_id = r.story_id AND o.related_id = r.related_id AND o.position < r.position;
ALTER TABLE story_related DROP CONSTRAINT story_related_pkey;
ALTER TABLE story_related DROP COLUMN position;
ALTER TABLE story_related ADD PRIMARY KEY (story_id, related_id);
