-- Who follows an author: the timeline consumer fans an article out to its author's followers, and follows live on
-- the follower's shard, so every shard is asked by followee. A plain CREATE INDEX: Flyway runs migrations in a
-- transaction under its lock, where CONCURRENTLY cannot run (and would wait behind that lock).
CREATE INDEX IF NOT EXISTS follows_by_followee ON follows (followee_id, follower_id);
