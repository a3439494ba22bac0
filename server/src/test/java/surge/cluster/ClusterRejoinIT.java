package surge.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.NodeProcess;
import surge.support.Ports;
import surge.support.TestNode;

/**
 * Node A in this JVM, node B in a process of its own (so it can be paused and killed like a real node), clustered over
 * loopback with short failure detection and merge timings. B is paused past the failure timeout and resumed: it is
 * dropped, merges back, and receives A's cache invalidations again without A restarting; what changed while it was
 * away is not served from its L1. Then B is killed: A goes on serving reads and writes.
 *
 * <p>Entities live 600 s in the cache here, so B serving a fresh title can only come from an invalidation (or an L1
 * cleared on rejoin), never from expiry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRejoinIT {
  static final int FAILURE_TIMEOUT_S = 3;
  static final int MERGE_DELAY_S = 3;
  static final Map<String, String> NODE = Map.of(
      "cache.entityTtlMs", "600000",
      "cluster.failureTimeoutMs", "" + FAILURE_TIMEOUT_S * 1000,
      "cluster.mergeDelayMs", "" + MERGE_DELAY_S * 1000);
  /** No Surge key: Hazelcast waits 5 s before joining by default, which only slows the test. */
  static final Map<String, String> JOIN_AT_ONCE = Map.of("hazelcast.wait.seconds.before.join", "0");

  static Vertx vertxA;
  static TestNode.Started a;
  static NodeProcess b;
  static Client onA;
  static Client onB;
  static String token;
  static String authorName;

  @BeforeAll
  static void start() {
    // Both members are listed before either listens (B in another process), so their ports are picked in advance.
    List<String> members = Ports.retrying(2, hz -> {
      List<String> listed = List.of("127.0.0.1:" + hz.get(0), "127.0.0.1:" + hz.get(1));
      ClusterConfig clusterA = new ClusterConfig(true, listed, "127.0.0.1", hz.get(0), ClusterConfig.TCP,
          FAILURE_TIMEOUT_S * 1000, MERGE_DELAY_S * 1000, ClusterConfig.Kubernetes.NONE);
      vertxA = Cluster.vertx(clusterA, JOIN_AT_ONCE).await();
      return listed;
    });
    String hzB = members.get(1).substring(members.get(1).lastIndexOf(':') + 1);
    a = TestNode.start(vertxA, NODE);
    onA = new Client(vertxA, a.port());

    Map<String, String> overridesB = new java.util.HashMap<>(NODE);
    overridesB.putAll(Map.of("cluster.enabled", "true", "cluster.port", "" + hzB,
        "cluster.members", String.join(",", members), "events.relay", "false"));
    b = NodeProcess.start("rejoin-b", overridesB, JOIN_AT_ONCE);
    onB = b.awaitReady(vertxA, 60_000);
    awaitMembers(2, 20_000);
    JsonObject author = onA.register("rej");
    token = author.getString("token");
    authorName = author.getString("username");
  }

  @AfterAll
  static void stop() {
    if (b != null) b.destroy();
    if (a != null) a.stop();
    if (vertxA != null) vertxA.close().await();
  }

  @Test
  @Order(1)
  void aNodePausedPastTheFailureTimeoutRejoinsAndHearsInvalidationsAgain() {
    String slug = onA.article(token, Client.unique("Rejoin")).getString("slug");
    slug = invalidationReachesB(slug, "before the pause");
    String changedWhileAway = onA.article(token, Client.unique("Away")).getString("slug");
    cacheOnB(changedWhileAway);

    b.pause();
    long pausedAt = System.currentTimeMillis();
    try {
      // At once, while A still lists B and its event bus still sends B the invalidations.
      String frozenTitle = Client.unique("written while B is frozen");
      String before = slug;
      slug = timed("A serves a write while B is frozen but listed", () -> retitle(before, frozenTitle));
      String frozenSlug = slug;
      assertEquals(frozenTitle, timed("A serves a read while B is frozen but listed", () -> title(onA, frozenSlug, null)));
      awaitMembersOnA(1, FAILURE_TIMEOUT_S * 1000L + 10_000);
      System.out.printf("paused B dropped by A after %d ms%n", System.currentTimeMillis() - pausedAt);
      String awayTitle = Client.unique("changed while B was away");
      String awaySlug = timed("A serves a write while B is away", () -> retitle(changedWhileAway, awayTitle));
      assertEquals(awayTitle, timed("A serves a read while B is away", () -> title(onA, awaySlug, null)));

      b.resume();
      long resumedAt = System.currentTimeMillis();
      awaitMembers(2, MERGE_DELAY_S * 1000L * 3 + 20_000);
      // One side split-brain-merged into the other (which one Hazelcast picks); its MERGED event follows the member list.
      await(() -> merges(onA) + merges(onB) >= 1, "a split-brain merge happened", 10_000);
      System.out.printf("B back in the cluster %d ms after it resumed; A's view %s, B's view %s%n",
          System.currentTimeMillis() - resumedAt, view(onA), view(onB));
      // A stale L1 copy would answer 404 here (its slug is the old title's) or the old title.
      assertEquals(awayTitle, titleOrNull(onB, awaySlug), "B served its L1 copy from before it was cut off (null: 404)");
    } finally {
      if (b.alive()) b.resume(); // never leave it stopped, whatever failed
    }
    invalidationReachesB(slug, "after the rejoin");
    liveEventReachesSseClientOnB();
  }

  /**
   * After the rejoin, an event written through A reaches a live stream held by B. B runs no relay, so the event can
   * only have crossed the clustered bus from A (whose relay published it) to B's stream hubs.
   */
  private static void liveEventReachesSseClientOnB() {
    JsonObject reader = onA.register("rejsse");
    assertEquals(200, onA.post("/api/profiles/" + authorName + "/follow", reader.getString("token"), null).statusCode());
    try (surge.support.SseClient stream = surge.support.SseClient.open(vertxA, b.httpPort(), reader.getString("token"))) {
      assertEquals(200, stream.status());
      String title = Client.unique("live after the rejoin");
      onA.article(token, title);
      surge.support.SseClient.Frame frame = stream.nextEvent(java.time.Duration.ofSeconds(20));
      assertEquals("surge.article.created", frame.event());
      assertEquals(title, frame.json().getJsonObject("data").getString("title"));
    }
  }

  /**
   * The failure mode vertx-hazelcast itself repairs only on membership changes: this node's entries in Vert.x's
   * subscription multimap vanish while the cluster looks healthy. B's membership watcher notices within its check
   * period, registers again, and drops its L1 (it missed what was published meanwhile).
   */
  @Test
  @Order(2)
  void aNodeWhoseRegistrationsVanishedRegistersAgain() {
    awaitQuiet(); // a re-registration still due from the rejoin would blur what this test sees
    String slug = onA.article(token, Client.unique("Lost")).getString("slug");
    slug = invalidationReachesB(slug, "before B's registrations vanished");
    cacheOnB(slug);
    long before = view(onB).getLong("resubscriptions");
    int removed = dropRegistrationsOf(view(onB).getString("nodeId"));
    assertTrue(removed > 0, "B had registrations to remove");
    String missed = Client.unique("missed while B was not registered");
    String missedSlug = retitle(slug, missed);
    await(() -> view(onB).getLong("resubscriptions") > before, "B registered again", MERGE_DELAY_S * 1000L + 10_000);
    // Written while nobody could tell B: its L1 must not keep the old copy.
    await(() -> missed.equals(titleOrNull(onB, missedSlug)), "B serves what changed while it was unregistered", 5_000);
    invalidationReachesB(missedSlug, "after B registered again");
  }

  /** The nodes registered for cache invalidations, as A's cluster manager reads them. */
  private static List<String> registrationsOnA() {
    io.vertx.core.Promise<List<io.vertx.core.spi.cluster.RegistrationInfo>> found = io.vertx.core.Promise.promise();
    ((VertxInternal) vertxA).clusterManager().getRegistrations(surge.cache.Caches.ADDRESS, found);
    return found.future().await().stream().map(info -> info.nodeId() + "#" + info.seq()).toList();
  }

  /** Removes every entry of {@code nodeId} from Vert.x's subscription multimap, through A's Hazelcast member. */
  private static int dropRegistrationsOf(String nodeId) {
    var hazelcast = ((io.vertx.spi.cluster.hazelcast.HazelcastClusterManager) ((VertxInternal) vertxA).clusterManager())
        .getHazelcastInstance();
    com.hazelcast.multimap.MultiMap<String, io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo> subs =
        hazelcast.getMultiMap("__vertx.subs");
    int removed = 0;
    for (var entry : subs.entrySet()) {
      if (nodeId.equals(entry.getValue().unwrap().nodeId()) && subs.remove(entry.getKey(), entry.getValue())) removed++;
    }
    return removed;
  }

  @Test
  @Order(3)
  void aKilledNodeDoesNotDisturbTheOther() {
    String slug = onA.article(token, Client.unique("Kill")).getString("slug");
    b.kill();
    long killedAt = System.currentTimeMillis();
    // At once, while A may still count B as a member and its bus still tries to reach it.
    for (int i = 0; i < 5; i++) {
      String title = Client.unique("after kill " + i);
      String current = slug;
      slug = timed("write on A right after B was killed #" + i, () -> retitle(current, title));
      assertEquals(title, title(onA, slug, null));
    }
    awaitMembersOnA(1, FAILURE_TIMEOUT_S * 1000L + 10_000);
    System.out.printf("killed B dropped by A after %d ms%n", System.currentTimeMillis() - killedAt);
    String last = Client.unique("after B left");
    String current = slug;
    String lastSlug = timed("write on A after B left", () -> retitle(current, last));
    assertEquals(last, timed("anonymous read on A after B left", () -> title(onA, lastSlug, null)));
    assertEquals(last, title(onA, lastSlug, token));
  }

  /**
   * B holds the article in L1 (a second read hits it); a title change through A reaches B within 5 s. Until B dropped
   * its copy, the new slug answers 404 there (the copy's slug is the old title's). Returns the new slug.
   */
  private static String invalidationReachesB(String slug, String when) {
    cacheOnB(slug);
    String title = Client.unique("retitled " + when);
    String renamed = retitle(slug, title);
    long start = System.nanoTime();
    try {
      Eventually.value("B serves the new title within 5 s of the write on A, " + when, Duration.ofSeconds(5),
          Duration.ofMillis(10), () -> titleOrNull(onB, renamed), title::equals);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; registrations of " + surge.cache.Caches.ADDRESS + " in A's view: "
          + registrationsOnA() + ", B's view " + view(onB), e);
    }
    System.out.printf("invalidation A -> B %s: fresh on B after %d ms%n", when, (System.nanoTime() - start) / 1_000_000);
    return renamed;
  }

  /**
   * Reads through B until a read is an L1 hit: the article is in B's L1 now. One pair of reads is not always enough:
   * the invalidation of a write made on A just before may reach B after B's first read filled its L1, and drop it.
   */
  private static void cacheOnB(String slug) {
    Eventually.until("B serves " + slug + " from its L1", Duration.ofSeconds(5), Duration.ofMillis(50), () -> {
      title(onB, slug, null);
      long hits = l1Hits(onB);
      title(onB, slug, null);
      return l1Hits(onB) > hits;
    });
  }

  private static long l1Hits(Client c) {
    return c.get("/health/cache").bodyAsJsonObject().getJsonObject("caches").getJsonObject("article").getLong("l1Hits");
  }

  private static String title(Client c, String slug, String token) {
    HttpResponse<Buffer> r = c.get("/api/articles/" + slug, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article").getString("title");
  }

  /** The title, or null while the node answers 404 (a stale copy whose slug is an older title's). */
  private static String titleOrNull(Client c, String slug) {
    HttpResponse<Buffer> r = c.get("/api/articles/" + slug, null);
    if (r.statusCode() == 404) return null;
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article").getString("title");
  }

  /** Changes the title through A; returns the new slug (the slug follows the title). */
  private static String retitle(String slug, String title) {
    HttpResponse<Buffer> r = onA.put("/api/articles/" + slug, token,
        new JsonObject().put("article", new JsonObject().put("title", title)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article").getString("slug");
  }

  /** A request on A stays quick whatever B does (generous bound: this checks for hangs, not speed). */
  private static <T> T timed(String what, java.util.function.Supplier<T> request) {
    long start = System.nanoTime();
    T result = request.get();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 2_000, what + " took " + ms + " ms");
    return result;
  }

  /** A node's {@code /health/cluster}, members counted rather than listed. */
  private static JsonObject view(Client c) {
    JsonObject v = NodeProcess.clusterView(c);
    return v.copy().put("members", v.getJsonArray("members").size()).put("memberUuid", v.getString("memberUuid"));
  }

  /** Until neither node saw a membership change or re-registration for 2 s (their follow-up checks ran). */
  private static void awaitQuiet() {
    await(() -> System.currentTimeMillis() - Math.max(view(onA).getLong("lastChangeMs"), view(onB).getLong("lastChangeMs"))
        > 2_000, "no membership change for 2 s", 20_000);
  }

  private static long merges(Client c) {
    return NodeProcess.clusterView(c).getLong("merges");
  }

  private static int membersOnA() {
    return ((VertxInternal) vertxA).clusterManager().getNodes().size();
  }

  private static void awaitMembersOnA(int count, long timeoutMs) {
    await(() -> membersOnA() == count, "A sees " + count + " member(s)", timeoutMs);
  }

  /** Both views: A's from its cluster manager, B's from its {@code /health/cluster}. */
  private static void awaitMembers(int count, long timeoutMs) {
    await(() -> membersOnA() == count && NodeProcess.clusterView(onB).getJsonArray("members").size() == count,
        "A and B both see " + count + " members", timeoutMs);
  }

  private static void await(BooleanSupplier condition, String what, long timeoutMs) {
    Eventually.until(what, Duration.ofMillis(timeoutMs), Duration.ofMillis(100), condition);
  }

}
