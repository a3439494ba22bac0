package surge.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import surge.cache.Caches;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * Two nodes on the suite's databases: {@code node} serves feeds from timelines (its consumer joins the group), and
 * {@code reference} has timelines off, so its feed is the scatter-gather query: every feed the tests read from
 * {@code node} is compared with the reference's, field by field. Also a Redis client to look at timelines directly.
 */
final class TimelineFixture {
  final TestNode.Started node;
  final TestNode.Started reference;
  final Client client;
  final Client referenceClient;
  final Redis redis;
  final String prefix;
  final Vertx vertx;

  TimelineFixture(Vertx vertx, Map<String, String> overrides) {
    this.vertx = vertx;
    Map<String, String> settings = new java.util.HashMap<>(Map.of("timeline.lagReportMs", "200", "events.backlogCheckMs", "200"));
    settings.putAll(overrides);
    node = TestNode.start(vertx, settings);
    reference = TestNode.start(vertx, Map.of("timeline.enabled", "false", "events.relay", "false"));
    client = new Client(vertx, node.port());
    referenceClient = new Client(vertx, reference.port());
    redis = Redis.createClient(vertx, "redis://" + node.config().redis().host() + ":" + node.config().redis().port());
    prefix = "surge:tl:" + Caches.namespaceOf(node.config().db()) + ":";
  }

  void close() {
    redis.close();
    reference.stop();
    node.stop();
  }

  JsonObject status() {
    return client.get("/health/timeline").bodyAsJsonObject();
  }

  void awaitTrusted(long timeoutMs) {
    Eventually.until("timelines trusted", Duration.ofMillis(timeoutMs), () -> status().getBoolean("trusted"));
  }

  long reads(String path) {
    return status().getJsonObject("reads").getLong(path);
  }

  /** The user id in a token's {@code sub} claim. */
  static long idOf(JsonObject user) {
    String payload = user.getString("token").split("\\.")[1];
    return Long.parseLong(new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8))
        .getString("sub"));
  }

  /** The feed from the timeline node, checked to be exactly the reference's; returns its slugs. */
  List<String> feed(JsonObject user, int limit, int offset) {
    String path = "/api/articles/feed?limit=" + limit + "&offset=" + offset;
    var r = client.get(path, user.getString("token"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    var expected = referenceClient.get(path, user.getString("token"));
    assertEquals(expected.bodyAsJsonObject(), r.bodyAsJsonObject(), "the timeline feed is the scatter-gather feed");
    return slugs(r.bodyAsJsonObject());
  }

  /** The feed page's {@code articlesCount} from the timeline node. */
  long feedCount(JsonObject user, int limit, int offset) {
    var r = client.get("/api/articles/feed?limit=" + limit + "&offset=" + offset, user.getString("token"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getLong("articlesCount");
  }

  List<String> feed(JsonObject user) {
    return feed(user, 20, 0);
  }

  static List<String> slugs(JsonObject page) {
    List<String> out = new ArrayList<>();
    JsonArray articles = page.getJsonArray("articles");
    for (int i = 0; i < articles.size(); i++) out.add(articles.getJsonObject(i).getString("slug"));
    return out;
  }

  /** The article ids in a user's timeline, newest first (empty when it does not exist). */
  List<Long> timeline(long user) {
    Response r = redis.send(Request.cmd(Command.ZREVRANGE).arg(prefix + "tl:" + user).arg(0).arg(-1)).await();
    List<Long> out = new ArrayList<>();
    for (Response member : r) out.add(Long.parseLong(member.toString()));
    return out;
  }

  boolean exists(long user) {
    return redis.send(Request.cmd(Command.EXISTS).arg(prefix + "tm:" + user)).await().toLong() == 1;
  }

  boolean hybrid(long author) {
    return redis.send(Request.cmd(Command.SISMEMBER).arg(prefix + "hybrid").arg(author)).await().toLong() == 1;
  }

  void follow(JsonObject follower, JsonObject followee) {
    var r = client.post("/api/profiles/" + followee.getString("username") + "/follow", follower.getString("token"), null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  void unfollow(JsonObject follower, JsonObject followee) {
    var r = client.delete("/api/profiles/" + followee.getString("username") + "/follow", follower.getString("token"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  /** The article id of a slug. */
  static long articleId(String slug) {
    return surge.articles.Slugs.idOf(slug).getAsLong();
  }
}
