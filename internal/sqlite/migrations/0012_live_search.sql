-- Reader searches read an index of the stories readers may find
-- (published, not in the trash): no state column to filter on, so a query
-- is a plain MATCH that FTS5 answers from the document lists alone, and
-- the newest matches come first by rowid without reading the others.
-- Stories readers cannot find (drafts, scheduled, trashed) are indexed
-- apart for the newsroom, which searches both. Together they replace
-- stories_fts; rowid is the story id in both.
DROP TABLE stories_fts;

CREATE VIRTUAL TABLE live_fts USING fts5 (
	title, summary, body, tags, source,
	content = '', contentless_delete = 1,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE unlisted_fts USING fts5 (
	title, summary, body, tags, source,
	content = '', contentless_delete = 1,
	tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO live_fts (rowid, title, summary, body, tags, source)
	SELECT s.id, s.title, s.summary, coalesce(s.body_text, ''),
		coalesce((SELECT group_concat(t.name, ' ') FROM story_tags st
			JOIN tags t ON t.id = st.tag_id WHERE st.story_id = s.id), ''), src.name
	FROM stories s JOIN sources src ON src.id = s.source_id
	WHERE s.status = 'published' AND s.deleted_at IS NULL ORDER BY s.id;
INSERT INTO unlisted_fts (rowid, title, summary, body, tags, source)
	SELECT s.id, s.title, s.summary, coalesce(s.body_text, ''),
		coalesce((SELECT group_concat(t.name, ' ') FROM story_tags st
			JOIN tags t ON t.id = st.tag_id WHERE st.story_id = s.id), ''), src.name
	FROM stories s JOIN sources src ON src.id = s.source_id
	WHERE s.status != 'published' OR s.deleted_at IS NOT NULL ORDER BY s.id;
-- One segment each: a query then seeks once per word instead of once per
-- segment.
INSERT INTO live_fts (live_fts) VALUES ('optimize');
INSERT INTO unlisted_fts (unlisted_fts) VALUES ('optimize');
