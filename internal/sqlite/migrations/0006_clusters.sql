-- Story clusters: the copies of one story across sources (issue 10).

-- An original source (a wire, the site's own newsroom) leads its cluster
-- over syndicators. Set from the name when a source is first seen
-- (news.OriginalByDefault), editable in the admin.
ALTER TABLE sources ADD COLUMN original INTEGER NOT NULL DEFAULT 0;
UPDATE sources SET original = 1 WHERE lower(name) IN ('ap', 'associated press', 'reuters', 'afp',
	'agence france-presse', 'bloomberg', 'dpa', 'efe', 'ansa', 'kyodo', 'kyodo news', 'xinhua', 'pa media',
	'press association', 'upi', 'aap', 'australian associated press', 'canadian press', 'the canadian press',
	'press trust of india', 'pti', 'yonhap', 'tass', 'anadolu agency')
	OR lower(name) LIKE '% wire' OR lower(name) LIKE '% press' OR lower(name) LIKE '% news agency'
	OR lower(name) LIKE '% staff' OR lower(name) LIKE '% newsroom'
	OR id IN (SELECT s.source_id FROM stories s JOIN story_revisions r ON r.story_id = s.id WHERE r.user_id IS NOT NULL);

-- One row per story: the cluster it belongs to. lead_id is derived (the
-- member ranked first, see stories.cluster_rank); chosen_lead is an
-- editor's choice, which leads while it is visible.
CREATE TABLE clusters (
	id          INTEGER PRIMARY KEY,
	lead_id     INTEGER REFERENCES stories (id) ON DELETE SET NULL,
	chosen_lead INTEGER REFERENCES stories (id) ON DELETE SET NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);

-- Membership and its evidence: the member matched, the score and the
-- signals (JSON of related.Evidence). pinned members were placed by an
-- editor (split or merge): detection leaves them where they are.
CREATE TABLE cluster_members (
	story_id   INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
	cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
	matched_id INTEGER REFERENCES stories (id) ON DELETE SET NULL,
	score      REAL NOT NULL DEFAULT 0,
	evidence   TEXT NOT NULL DEFAULT '{}',
	pinned     INTEGER NOT NULL DEFAULT 0,
	joined_at  INTEGER NOT NULL
);
CREATE INDEX cluster_members_cluster ON cluster_members (cluster_id);

-- Pairs of stories an editor split apart: detection never puts them in
-- one cluster again, whatever later imports and polls bring.
CREATE TABLE cluster_apart (
	story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	other_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	PRIMARY KEY (story_id, other_id)
);
CREATE INDEX cluster_apart_other ON cluster_apart (other_id);

-- Every editor override: who, when, what.
CREATE TABLE cluster_log (
	id         INTEGER PRIMARY KEY,
	cluster_id INTEGER NOT NULL,
	action     TEXT NOT NULL CHECK (action IN ('lead', 'split', 'merge')),
	story_id   INTEGER REFERENCES stories (id) ON DELETE SET NULL,
	other_id   INTEGER, -- merge: the cluster merged in
	user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX cluster_log_cluster ON cluster_log (cluster_id, created_at);

-- A story's place in its cluster: 0 for the lead. A list shows, of each
-- cluster, the visible member with the lowest rank that fits the list.
ALTER TABLE stories ADD COLUMN cluster_rank INTEGER NOT NULL DEFAULT 0;
DROP INDEX stories_cluster;
CREATE INDEX stories_cluster ON stories (cluster_id, cluster_rank);

-- Stories stored before: cluster_id held the id of one of its stories;
-- it becomes the cluster's id. The fingerprints are computed again on the
-- first write after the upgrade, which places every story afresh.
UPDATE stories SET cluster_id = id WHERE cluster_id = 0;
INSERT INTO clusters (id, created_at, updated_at)
	SELECT cluster_id, min(created_at), max(updated_at) FROM stories GROUP BY cluster_id;
INSERT INTO cluster_members (story_id, cluster_id, joined_at)
	SELECT id, cluster_id, created_at FROM stories;
UPDATE stories SET cluster_rank = (SELECT count(*) FROM stories o WHERE o.cluster_id = stories.cluster_id
	AND (o.published_at < stories.published_at OR o.published_at = stories.published_at AND o.id < stories.id));
UPDATE clusters SET lead_id = (SELECT id FROM stories WHERE cluster_id = clusters.id AND cluster_rank = 0);
