-- FTS5 holds the terms of the rows a transaction writes in memory and
-- writes them out as a new segment of the index whenever they pass
-- 'hashsize', 1 MiB by default; segments are then merged as they pile up.
-- An import batch of 500 stories passed it several times. At 16 MiB a
-- batch is one segment, and there is less to merge: importing 100k
-- stories spent 9.4 s merging segments before, 6.6 s after. The setting
-- is kept in each table's _config.
INSERT INTO live_fts (live_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO unlisted_fts (unlisted_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO story_heads_fts (story_heads_fts, rank) VALUES ('hashsize', 16777216);
