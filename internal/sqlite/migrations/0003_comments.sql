-- Site settings, one row per key.
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES
	('comments_open', '1'),
	('comments_close_after_days', '30'),
	('comments_auto_approve', '0');

CREATE INDEX comments_status ON comments (status, created_at);
CREATE INDEX comments_email ON comments (email) WHERE email != '';
CREATE INDEX comments_ip ON comments (ip_hash, created_at);
