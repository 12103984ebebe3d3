-- The change log, as SQLite's 0014: the cache keys each write changed
-- (news.StoryKey …, separated by spaces; "*" for everything), by the data
-- version it raised meta.version to, written in the write's transaction.
-- A node that hears of a new version reads the rows after the one it
-- knew, so that another node's write throws away only the cached pages
-- it touched. Writers keep the last rows only (changelog.Kept).
CREATE TABLE changes (
	version BIGINT PRIMARY KEY,
	keys    TEXT   NOT NULL
);
