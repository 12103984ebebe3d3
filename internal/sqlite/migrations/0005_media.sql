-- Pictures (internal/media): each image once, known by the hash of the
-- file it was made from, with its JPEG files at every width. They live in
-- the database so that `newsdesk backup` holds them with the stories.
CREATE TABLE media (
	id         TEXT PRIMARY KEY,
	width      INTEGER NOT NULL, -- of the largest file, upright
	height     INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE media_files (
	media_id TEXT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
	width    INTEGER NOT NULL,
	height   INTEGER NOT NULL,
	type     TEXT NOT NULL,
	data     BLOB NOT NULL,
	PRIMARY KEY (media_id, width, type)
);

-- A story's lead image. A table of its own, not columns of stories: a
-- column added to stories would come after the bodies, and every list
-- would then read through them (see 0001).
CREATE TABLE story_images (
	story_id INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
	media_id TEXT NOT NULL REFERENCES media (id),
	caption  TEXT NOT NULL DEFAULT '',
	credit   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX story_images_media ON story_images (media_id);

-- A feed's picture URL already made into an image is not fetched again.
CREATE INDEX stories_image_url ON stories (image_url) WHERE image_url != '';
