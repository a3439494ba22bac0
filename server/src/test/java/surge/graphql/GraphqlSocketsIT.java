package surge.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.TestNode;
import surge.support.Eventually;

/**
 * The graphql-transport-ws protocol on one node: the handshake, authentication at {@code connection_init}, the
 * protocol's close codes, the query limits and sign-in rules applied to subscriptions, and the caps (sockets share
 * the streams' {@code stream.maxConnections}; subscriptions per socket). A second node with small caps has a Vert.x
 * of its own, so its event bus and slots are apart from the first's.
 */
class GraphqlSocketsIT {
  static Vertx vertx;
  static Vertx cappedVertx;
  static TestNode.Started node;
  static TestNode.Started capped;
  static Client client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = TestNode.start(vertx, Map.of("graphql.socketInitMs", "1000"));
    client = new Client(vertx, node.port());
    cappedVertx = Vertx.vertx();
    capped = TestNode.start(cappedVertx, Map.of("stream.maxConnections", "2", "graphql.maxSubscriptionsPerSocket", "2"));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (capped != null) capped.stop();
    if (vertx != null) vertx.close().await();
    if (cappedVertx != null) cappedVertx.close().await();
  }

  @Test
  void anAnonymousSubscriberGetsTheCommentsOfAnArticleWrittenThroughRest() {
    JsonObject author = client.register("ws-a");
    String slug = client.article(author.getString("token"), "Sockets " + Client.unique("t"))
        .getString("slug");
    try (WsClient ws = WsClient.connect(vertx, node.port())) {
      assertEquals(WsClient.PROTOCOL, ws.subProtocol());
      ws.ready(null);
      ws.subscribe("c", "subscription($s: String!) { commentAdded(slug: $s) { body author { username following } } }",
          new JsonObject().put("s", slug));
      String fan = client.register("ws-f").getString("token");
      assertEquals(201, client.post("/api/articles/" + slug + "/comments", fan,
          new JsonObject().put("comment", new JsonObject().put("body", "first!"))).statusCode());
      JsonObject next = ws.next(15_000);
      assertEquals("next", next.getString("type"), next.encode());
      assertEquals("c", next.getString("id"));
      JsonObject comment = next.getJsonObject("payload").getJsonObject("data").getJsonObject("commentAdded");
      assertEquals("first!", comment.getString("body"));
      assertEquals(false, comment.getJsonObject("author").getBoolean("following"));
    }
  }

  @Test
  void aBadTokenAtConnectionInitIsForbidden() {
    try (WsClient ws = WsClient.connect(vertx, node.port())) {
      ws.send(new JsonObject().put("type", "connection_init")
          .put("payload", new JsonObject().put("Authorization", "Token not-a-jwt")));
      assertEquals(4403, ws.awaitClose(5_000));
      assertEquals("Forbidden", ws.closeReason());
    }
  }

  @Test
  void subscribingBeforeTheAckIsUnauthorized() {
    try (WsClient ws = WsClient.connect(vertx, node.port())) {
      ws.subscribe("early", "subscription { followerAdded { username } }", null);
      assertEquals(4401, ws.awaitClose(5_000));
    }
  }

  @Test
  void protocolViolationsCloseWithTheirCodes() {
    try (WsClient ws = WsClient.connect(vertx, node.port())) {
      ws.ready(null);
      ws.send(new JsonObject().put("type", "connection_init"));
      assertEquals(4429, ws.awaitClose(5_000));
    }
    try (WsClient ws = WsClient.connect(vertx, node.port())) {
      ws.ready(null);
      String slug = "x-" + Long.toString(1L << 40, 36);
      String q = "subscription { commentAdded(slug: \"" + slug + "\") { body } }";
      ws.subscribe("same", q, null);
      ws.subscribe("same", q, null);
      assertEquals(4409, ws.awaitClose(5_000));
    }
    try (WsClient ws = WsClient.connect(vertx, node.port())) {
      ws.send(new JsonObject().put("type", "no-such-type"));
      assertEquals(4400, ws.awaitClose(5_000));
    }
    try (WsClient ws = WsClient.connect(vertx, node.port())) {
      // graphql.socketInitMs is 1000 on this node: a socket that never says hello is closed
      assertEquals(4408, ws.awaitClose(5_000));
    }
  }

  @Test
  void subscriptionsPassTheQueryLimitsAndTheSignInRules() {
    String token = client.register("ws-l").getString("token");
    try (WsClient ws = WsClient.connect(vertx, node.port())) {
      ws.ready(token);
      StringBuilder aliases = new StringBuilder();
      for (int i = 0; i < 11; i++) aliases.append(" a").append(i).append(": title");
      ws.subscribe("wide", "subscription { articlePublished {" + aliases + " } }", null);
      JsonObject refused = ws.next(5_000);
      assertEquals("error", refused.getString("type"), refused.encode());
      assertEquals("wide", refused.getString("id"));
      JsonObject error = refused.getJsonArray("payload").getJsonObject(0);
      assertEquals("TOO_MANY_ALIASES", error.getJsonObject("extensions").getString("code"));
      assertTrue(error.getString("message").contains("11 aliases"), error.getString("message"));

      ws.subscribe("big", "subscription { followerAdded { username } }" + " ".repeat(9000), null);
      assertEquals("QUERY_TOO_LARGE", code(ws.next(5_000)));
      ws.subscribe("q", "{ tags }", null);
      assertEquals("BAD_REQUEST", code(ws.next(5_000)));
      ws.subscribe("bad", "subscription { nope }", null);
      assertEquals("GRAPHQL_VALIDATION_FAILED", code(ws.next(5_000)));
      assertTrue(!ws.isClosed(), "refusals are errors of one subscription, not of the socket");
    }
    try (WsClient anonymous = WsClient.connect(vertx, node.port())) {
      anonymous.ready(null);
      anonymous.subscribe("feed", "subscription { articlePublished { title } }", null);
      assertEquals("UNAUTHENTICATED", code(anonymous.next(5_000)));
    }
    // and over HTTP, a subscription is refused as a request error
    JsonObject body = new Gql(client).ok(token, "subscription { followerAdded { username } }", null);
    assertEquals("BAD_REQUEST", Gql.code(body));
  }

  @Test
  void socketsShareTheStreamCapAndSubscriptionsPerSocketAreCapped() {
    Eventually.until("the capped node holds no live connection", java.time.Duration.ofMillis(10_000), () -> openOnCapped() == 0);
    List<WsClient> open = new ArrayList<>();
    try {
      open.add(WsClient.connect(cappedVertx, capped.port()).ready(null));
      open.add(WsClient.connect(cappedVertx, capped.port()).ready(null));
      assertEquals(503, WsClient.refusedStatus(cappedVertx, capped.port()));
      // an SSE stream counts against the same cap
      String token = new Client(cappedVertx, capped.port()).register("ws-cap").getString("token");
      assertEquals(503, new Client(cappedVertx, capped.port()).get("/api/stream", token).statusCode());

      WsClient first = open.get(0);
      String slug = "x-" + Long.toString(1L << 41, 36);
      for (String id : List.of("1", "2", "3")) {
        first.subscribe(id, "subscription { commentAdded(slug: \"" + slug + "\") { body } }", null);
      }
      JsonObject third = first.next(5_000);
      assertEquals("3", third.getString("id"));
      assertEquals("TOO_MANY_SUBSCRIPTIONS", code(third));
      assertNull(first.poll(Duration.ofMillis(100)), "the first two were taken without a reply");

      open.remove(1).close();
      Eventually.until("a slot is free again", java.time.Duration.ofMillis(10_000), () -> openOnCapped() == 1);
      open.add(WsClient.connect(cappedVertx, capped.port()).ready(null));
    } finally {
      open.forEach(WsClient::close);
    }
  }

  @Test
  void aStoppingNodeClosesItsSocketsAsGoingAway() {
    Vertx own = Vertx.vertx();
    try {
      TestNode.Started stopping = TestNode.start(own, Map.of());
      WsClient ws = WsClient.connect(own, stopping.port()).ready(null);
      // at the edge the socket's connection is streaming (never closed as idle), like an SSE stream's
      JsonObject edge = new Client(own, stopping.port()).get("/health/edge").bodyAsJsonObject();
      assertEquals(1, edge.getJsonObject("byState").getInteger("streaming"), edge.encode());
      stopping.stop();
      assertEquals(1001, ws.awaitClose(10_000), "a client reconnects elsewhere on 1001");
    } finally {
      own.close().await();
    }
  }

  private static int openOnCapped() {
    return new Client(cappedVertx, capped.port()).get("/health/stream").bodyAsJsonObject().getInteger("connections");
  }

  private static String code(JsonObject message) {
    assertEquals("error", message.getString("type"), message.encode());
    return message.getJsonArray("payload").getJsonObject(0).getJsonObject("extensions").getString("code");
  }
}
