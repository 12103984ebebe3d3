-- Author pages (/authors/{slug}) list a byline's stories newest first.
CREATE INDEX stories_author ON stories (author, published_at);
