-- What the outbox relay (surge.events.OutboxRelay) needs from the database.
--
-- 1. A wake-up call. Every statement that inserts outbox rows notifies channel surge_outbox; PostgreSQL
--    delivers a notification only when (and if) the transaction commits, so the relay listening on its
--    shard's primary reads the new rows within milliseconds instead of waiting for its next poll. Identical
--    notifications of one transaction are folded into one; the relay reads everything that is left anyway.
CREATE FUNCTION surge_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('surge_outbox', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION surge_outbox_notify();

-- 2. Bounded bloat. The relay deletes rows once Kafka acknowledged them, so the table is a queue: inserts at
--    the tail, deletes at the head, a live size of the backlog. Autovacuum's default trigger (20 % of the table
--    dead) suits big tables, not a queue that is nearly empty most of the time; vacuum it after every 1,000
--    dead rows instead, so dead tuples and index entries stay in the thousands whatever the write rate.
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000);
