-- Surge core schema. Laid out for sharding (design §3): every table lives on the logical shard of
-- its owner, and no foreign key crosses an owner boundary, so any logical shard can move to
-- another physical database with its rows.
--   users, follows (made by the user)          -> the user's shard
--   articles, their comments and favorites     -> the author's shard
--   usernames, emails (uniqueness directory)   -> shard of hash(key)

CREATE SEQUENCE surge_id_seq;
CREATE SEQUENCE surge_comment_seq;

-- (ms since 2025-01-01) << 23 | logical_shard << 10 | seq % 1024; mirrored by surge.db.Ids.compose.
CREATE FUNCTION surge_next_id(logical_shard int) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
  SELECT ((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - 1735689600000) << 23)
       | (logical_shard::bigint << 10)
       | (nextval('surge_id_seq') % 1024)
$$;

-- seq << 13 | logical_shard: below 2^53, so JSON clients read comment ids exactly.
CREATE FUNCTION surge_next_comment_id(logical_shard int) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
  SELECT (nextval('surge_comment_seq') << 13) | logical_shard::bigint
$$;

CREATE TABLE users (
  id            bigint PRIMARY KEY,
  username      text NOT NULL,
  email         text NOT NULL,
  password_hash text NOT NULL,
  bio           text,
  image         text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
-- Lookup only; uniqueness is the directory's job because it must hold across shards.
CREATE INDEX users_username ON users (username);
CREATE INDEX users_email ON users (lower(email));

-- Uniqueness directory: one row per taken username / lower-cased email.
CREATE TABLE usernames (
  username text PRIMARY KEY,
  user_id  bigint NOT NULL
);
CREATE TABLE emails (
  email   text PRIMARY KEY,
  user_id bigint NOT NULL
);

CREATE TABLE follows (
  follower_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  followee_id bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id)
);

CREATE TABLE articles (
  id              bigint PRIMARY KEY,
  author_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title           text NOT NULL,
  description     text NOT NULL,
  body            text NOT NULL,
  tags            text[] NOT NULL DEFAULT '{}',  -- sorted, de-duplicated by the service
  favorites_count integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX articles_newest ON articles (created_at DESC, id DESC);
CREATE INDEX articles_by_author ON articles (author_id, created_at DESC, id DESC);
CREATE INDEX articles_tags ON articles USING gin (tags);

CREATE TABLE favorites (
  article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  user_id    bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (article_id, user_id)
);
CREATE INDEX favorites_by_user ON favorites (user_id, article_id);

CREATE TABLE comments (
  id         bigint PRIMARY KEY,
  article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  author_id  bigint NOT NULL,
  body       text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX comments_by_article ON comments (article_id, created_at, id);
