-- Transactional outbox (design §4). A domain write inserts its event here in the same statement,
-- hence the same transaction, on the same physical shard as the change it reports: the event
-- exists if and only if the change committed. payload is the whole CloudEvents-style envelope
-- (docs: README "Domain events"); id is the event's stable id, fixed at write time, for consumers
-- to de-duplicate on; aggregate_id is the Kafka key (a user or article id, whose id bits name the
-- logical shard, so the shard-move tool moves a shard's pending events with its rows).
--
-- How the relay (next increment) reads it: one relay per physical shard selects the oldest rows
-- in seq order (SELECT ... ORDER BY seq LIMIT n), publishes them with an idempotent producer keyed
-- by aggregate_id, and DELETEs them only after the broker acknowledged them. A crash between ack
-- and delete republishes rows with the same id (at-least-once; consumers de-duplicate by id).
-- seq is taken at insert, not at commit, so a row with a lower seq may become visible after a
-- higher one; the relay must not treat seq as a high-water mark (it reads what is left, not
-- "seq > last").
--
-- Why delete rather than mark as sent: the table stays as small as the backlog, every relay
-- poll is an index scan over a handful of live rows at the head of the seq index, and autovacuum
-- reclaims the dead tuples of a short append/delete queue cheaply; a "sent" flag would keep every
-- event forever, grow the index and make each poll skip ever more rows.
CREATE TABLE outbox (
  seq            bigserial PRIMARY KEY,
  id             uuid NOT NULL UNIQUE,
  aggregate_type text NOT NULL,          -- 'user' | 'article'
  aggregate_id   bigint NOT NULL,        -- Kafka key; orders one aggregate's events
  type           text NOT NULL,          -- e.g. 'surge.article.created'
  payload        jsonb NOT NULL,         -- the envelope, id and type included
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- The envelope of one event; time is the transaction's time in UTC, milliseconds, ISO-8601.
CREATE FUNCTION surge_envelope(event_id uuid, event_type text, subject bigint, data jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'specversion', '1.0',
    'id', event_id::text,
    'type', event_type,
    'source', '/surge',
    'time', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'subject', subject::text,
    'datacontenttype', 'application/json',
    'data', data)
$$;
