-- Ids handed out before a write's transaction (internal/desk decides a
-- write's related lists and clusters first, and needs the ids of the
-- stories and clusters it adds). A reservation takes ids above both the
-- counter and every stored id, so that two processes writing one file
-- never take the same id.
CREATE TABLE reserved_ids (
	name TEXT PRIMARY KEY,
	next INTEGER NOT NULL
);
INSERT INTO reserved_ids (name, next) VALUES ('stories', 1), ('clusters', 1);
