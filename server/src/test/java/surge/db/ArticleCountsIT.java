package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.TestNode;

/**
 * The counts a shard keeps per list scope (migration V6, {@code article_counts}) against a count of the articles
 * themselves, after every kind of statement that changes which articles a scope holds: a multi-row insert (one
 * statement trigger for many rows), single deletes and a multi-row delete, retagging, an edit that keeps the tags,
 * and TRUNCATE. The articles are written with SQL, as the shard-move tool and the dataset seeder write them.
 */
@ExtendWith(VertxExtension.class)
class ArticleCountsIT {
  static TestNode.Started node; // migrates the database
  static Pool pool;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, PropDbs.nodeConfig(List.of(PropDbs.ONE)));
    pool = PropDbs.pools(vertx, List.of(PropDbs.ONE)).get(0);
  }

  @AfterAll
  static void stop() {
    PropDbs.close(pool == null ? null : List.of(pool));
    if (node != null) node.stop();
  }

  @BeforeEach
  void empty() {
    PropDbs.wipe(pool);
    PropDbs.rows(pool, "INSERT INTO users (id, username, email, password_hash, created_at, updated_at)"
        + " VALUES (1, 'counted', 'counted@example.com', 'x', now(), now())");
  }

  @Test
  void keptCountsEqualCountsOfTheArticlesAfterEveryChange() {
    PropDbs.rows(pool, "INSERT INTO articles (id, author_id, title, description, body, tags, created_at, updated_at)"
        + " SELECT i, 1, 't', 'd', 'b', CASE i % 3 WHEN 0 THEN '{}'::text[] WHEN 1 THEN '{a}' ELSE '{a,b}' END, now(), now()"
        + " FROM generate_series(1, 30) AS i");
    assertCounts(Map.of("", 30L, "t:a", 20L, "t:b", 10L), "a multi-row insert");

    PropDbs.rows(pool, "DELETE FROM articles WHERE id = 1"); // tagged a
    PropDbs.rows(pool, "DELETE FROM articles WHERE id = 999"); // nothing
    PropDbs.rows(pool, "DELETE FROM articles WHERE id BETWEEN 2 AND 5"); // 2: a,b 3: - 4: a 5: a,b
    assertCounts(Map.of("", 25L, "t:a", 16L, "t:b", 8L), "deletes");

    PropDbs.rows(pool, "UPDATE articles SET tags = '{b,c}' WHERE id = 7"); // was a
    PropDbs.rows(pool, "UPDATE articles SET tags = '{}' WHERE id = 8"); // was a,b
    PropDbs.rows(pool, "UPDATE articles SET title = 'kept', favorites_count = favorites_count + 1 WHERE id = 10"); // a
    assertCounts(Map.of("", 25L, "t:a", 14L, "t:b", 8L, "t:c", 1L), "retagging");

    PropDbs.rows(pool, "TRUNCATE articles CASCADE");
    assertCounts(Map.of(), "a truncate");
  }

  /** The kept counts per scope (slots summed, zeros left out) and the articles' own counts, both as expected. */
  private static void assertCounts(Map<String, Long> expected, String after) {
    Map<String, Long> kept = new TreeMap<>();
    for (Row row : PropDbs.rows(pool, "SELECT scope, sum(n)::bigint FROM article_counts GROUP BY scope HAVING sum(n) <> 0")) {
      kept.put(row.getString(0), row.getLong(1));
    }
    Map<String, Long> counted = new TreeMap<>();
    for (Row row : PropDbs.rows(pool, "SELECT '', count(*) FROM articles HAVING count(*) > 0 UNION ALL"
        + " SELECT 't:' || tag, count(*) FROM articles, unnest(tags) AS tag GROUP BY tag")) {
      counted.put(row.getString(0), row.getLong(1));
    }
    assertEquals(new TreeMap<>(expected), counted, "the articles after " + after);
    assertEquals(counted, kept, "the kept counts after " + after);
  }
}
