-- The plain text of each body, written with the story, so that search
-- snippets are cut from it without parsing Markdown on a read. NULL marks
-- a story written before this column existed; Open fills those in.
ALTER TABLE stories ADD COLUMN body_text TEXT;

-- Headlines and tags of live stories, indexed on their own: a search
-- matching thousands of stories ranks those whose headline or tags match
-- first, without scoring every match in stories_fts.
CREATE VIRTUAL TABLE story_heads_fts USING fts5 (
	title, tags,
	content = '', contentless_delete = 1,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO story_heads_fts (rowid, title, tags)
	SELECT s.id, s.title, coalesce((SELECT group_concat(t.name, ' ') FROM story_tags st
		JOIN tags t ON t.id = st.tag_id WHERE st.story_id = s.id), '')
	FROM stories s WHERE s.status = 'published' AND s.deleted_at IS NULL;
