-- The change log: the cache keys each write changed (news.StoryKey …,
-- separated by spaces; "*" for everything), by the data version it raised
-- meta.version to, written in the write's transaction. A server reads the
-- rows after the version it last saw, so that what another process (an
-- import, another node) wrote throws away only the cached pages it
-- touched. Writers keep the last rows only.
CREATE TABLE changes (
	version INTEGER PRIMARY KEY,
	keys TEXT NOT NULL
);
