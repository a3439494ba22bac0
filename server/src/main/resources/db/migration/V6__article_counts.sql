-- How many articles each list scope holds on this shard: scope '' is every article, 't:<tag>' the articles with that
-- tag. The global and by-tag list pages take their articlesCount from here instead of counting the shard's articles
-- on every load, which each new article anywhere causes (it moves the global list's generation).
--
-- Triggers keep the counts in the transaction that inserts, deletes or retags articles, so a count is exactly as
-- visible as the rows it counts. A scope's count is the sum of its slots: a statement adds to the slot of its
-- backend process, so concurrent writers do not queue on one row lock until they commit.
CREATE TABLE article_counts (
  scope text     NOT NULL,
  slot  smallint NOT NULL,
  n     bigint   NOT NULL,
  PRIMARY KEY (scope, slot)
);

-- The articles of one INSERT or DELETE statement, as a transition table named "changed" (bulk loads count once).
CREATE FUNCTION article_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sign bigint := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
  INSERT INTO article_counts (scope, slot, n)
  SELECT scope, (pg_backend_pid() % 16)::smallint, sign * count(*)
  FROM (SELECT '' AS scope FROM changed
        UNION ALL
        SELECT 't:' || t.tag FROM changed c, LATERAL (SELECT DISTINCT unnest(c.tags)) AS t(tag)) s
  GROUP BY scope
  ORDER BY scope -- one order of row locks for every writer
  ON CONFLICT (scope, slot) DO UPDATE SET n = article_counts.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE TRIGGER article_counts_insert AFTER INSERT ON articles REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION article_counts_changed();
CREATE TRIGGER article_counts_delete AFTER DELETE ON articles REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION article_counts_changed();

-- An edit that changes the tags: per row, and only then (the WHEN is checked without calling the function, so the
-- favorite counter's updates pay nothing).
CREATE FUNCTION article_counts_retagged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO article_counts (scope, slot, n)
  SELECT 't:' || tag, (pg_backend_pid() % 16)::smallint, sum(d)
  FROM (SELECT DISTINCT o.tag, -1::bigint AS d FROM unnest(OLD.tags) AS o(tag)
        UNION ALL
        SELECT DISTINCT n.tag, 1::bigint FROM unnest(NEW.tags) AS n(tag)) x
  GROUP BY tag
  HAVING sum(d) <> 0
  ORDER BY 1
  ON CONFLICT (scope, slot) DO UPDATE SET n = article_counts.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE TRIGGER article_counts_retag AFTER UPDATE OF tags ON articles FOR EACH ROW
  WHEN (OLD.tags IS DISTINCT FROM NEW.tags) EXECUTE FUNCTION article_counts_retagged();

-- TRUNCATE fires no row or statement trigger of INSERT/DELETE: an emptied table has no counts.
CREATE FUNCTION article_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM article_counts;
  RETURN NULL;
END $$;

CREATE TRIGGER article_counts_truncate AFTER TRUNCATE ON articles
  FOR EACH STATEMENT EXECUTE FUNCTION article_counts_truncated();

-- The articles already there (Flyway runs this under its lock, before the node serves).
INSERT INTO article_counts (scope, slot, n)
SELECT '', 0, count(*) FROM articles HAVING count(*) > 0
UNION ALL
SELECT 't:' || t.tag, 0, count(*) FROM articles a, LATERAL (SELECT DISTINCT unnest(a.tags)) AS t(tag) GROUP BY t.tag;
