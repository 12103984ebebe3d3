-- The stories whose text Open still has to fill in (see 0009): an empty
-- index once they are done, so that looking for them costs nothing at
-- every start instead of a scan of every story.
CREATE INDEX stories_text_todo ON stories (id) WHERE body_text IS NULL;
