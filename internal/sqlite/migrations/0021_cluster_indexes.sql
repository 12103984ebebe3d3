-- An article's related list maps each listed story to its cluster's
-- visible lead. A story row is about 10 kB (bodies, plain text), so it
-- spans two or three pages, and cluster_rank, added last, sits at its end:
-- reading it, or even cluster_id, from the row costs a page from disk for
-- nearly every story at 100k. Both lookups are answered by small indexes
-- instead, which stay in the readers' page caches:
-- - a story's cluster, by id (stories_cluster_of, read with INDEXED BY);
-- - a cluster's members, with what makes a member visible and their
--   sources (the "Also covered by" of every card, and an article's copies).
CREATE INDEX stories_cluster_of ON stories (id, cluster_id);
DROP INDEX stories_cluster;
CREATE INDEX stories_cluster ON stories (cluster_id, cluster_rank, published_at, deleted_at, status, source_id);
