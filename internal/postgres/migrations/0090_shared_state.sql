-- State the nodes of a site share besides stories and sessions
-- (web.SharedState); the same tables as SQLite's 0019.

-- Rate-limited events (failed logins, comments), one row each: a key
-- counts its rows whose window has not passed. Times are Unix
-- nanoseconds, so that one event can be given back by its exact time.
CREATE TABLE limit_events (
	id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	key     TEXT   NOT NULL,
	at      BIGINT NOT NULL,
	expires BIGINT NOT NULL -- at + the limit's window
);
CREATE INDEX limit_events_key ON limit_events (key, expires);
CREATE INDEX limit_events_expires ON limit_events (expires);

-- One-time setup links (auth.TokenID of the token), live until expires
-- (Unix seconds) or until the first administrator exists.
CREATE TABLE setup_tokens (
	id      TEXT   PRIMARY KEY,
	expires BIGINT NOT NULL
);
