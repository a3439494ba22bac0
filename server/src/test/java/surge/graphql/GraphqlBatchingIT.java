package surge.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/**
 * A page of N articles with their authors, the viewer's flags and comment counts costs the same number of database
 * queries for N = 20 and N = 100 (one batch per cache and per DataLoader, each one query per physical shard), and
 * no more for N = 1. Counted from the node's per-shard read counters ({@code /health/shards}), on cold caches: every
 * page has a tag of its own, fresh authors and a fresh viewer.
 */
@ExtendWith(VertxExtension.class)
class GraphqlBatchingIT {
  static TestNode.Started node;
  static Client client;
  static Gql gql;

  static final String PAGE = "query($t: String, $n: Int!) { articles(tag: $t, first: $n) { totalCount edges { node {"
      + " title favorited favoritesCount commentsCount author { username following } } } } }";

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("events.relay", "false"));
    client = new Client(vertx, node.port());
    gql = new Gql(client);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Test
  void aPageCostsABoundedNumberOfQueriesWhateverItsSize() {
    int shards = node.node().services().shards().all().size();
    long one = queriesForPage(List.of(client.register("gqb-a")), 1);
    long twenty = queriesForPage(authorsOnEveryShard(shards), 20);
    long hundred = queriesForPage(authorsOnEveryShard(shards), 100);
    System.out.printf("GraphQL page queries: N=1 %d, N=20 %d, N=100 %d (%d physical shards)%n", one, twenty, hundred, shards);
    assertEquals(twenty, hundred, "a page of 100 costs what a page of 20 does");
    assertTrue(one <= twenty, "N=1: " + one + ", N=20: " + twenty);
    // membership, article cores, authors, the viewer's favorites and follows, comment counts: each once per shard
    assertTrue(hundred <= 6L * shards + 2, "queries for 100 articles: " + hundred);
  }

  /** N articles by {@code authors} (round robin) under a new tag, read cold by a new viewer; the queries it took. */
  private static long queriesForPage(List<JsonObject> authors, int n) {
    String tag = Client.unique("gqb");
    for (int i = 0; i < n; i++) {
      client.article(authors.get(i % authors.size()).getString("token"), "batch " + i + " " + tag, tag);
    }
    String viewer = client.register("gqb-v").getString("token");
    long before = reads();
    JsonObject page = gql.data(viewer, PAGE, JsonObject.of("t", tag, "n", n)).getJsonObject("articles");
    long after = reads();
    JsonArray edges = page.getJsonArray("edges");
    assertEquals(n, edges.size());
    assertEquals(0, edges.getJsonObject(0).getJsonObject("node").getInteger("commentsCount"));
    return after - before;
  }

  /** Fresh authors, at least one on each physical shard (a user's shard follows from the id in their token). */
  private static List<JsonObject> authorsOnEveryShard(int shards) {
    var byShard = new java.util.LinkedHashMap<String, JsonObject>();
    for (int tries = 0; byShard.size() < shards && tries < 64; tries++) {
      JsonObject user = client.register("gqb-a");
      byShard.putIfAbsent(node.node().services().shards().byId(userId(user)).name(), user);
    }
    assertEquals(shards, byShard.size(), "authors on every shard");
    return new ArrayList<>(byShard.values());
  }

  private static long userId(JsonObject user) {
    String payload = user.getString("token").split("\\.")[1];
    return Long.parseLong(new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8))
        .getString("sub"));
  }

  private static long reads() {
    long reads = 0;
    for (Object shard : client.get("/health/shards").bodyAsJsonObject().getJsonArray("shards")) {
      JsonObject r = ((JsonObject) shard).getJsonObject("counters").getJsonObject("reads");
      reads += r.getLong("primary") + r.getLong("replica");
    }
    return reads;
  }
}
