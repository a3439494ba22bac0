package surge.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/**
 * Every {@code graphql.*} limit refuses before execution, and the cost is what the caller's bucket pays: a node with
 * small limits and a reads bucket that barely refills within a test (300 tokens an hour).
 */
@ExtendWith(VertxExtension.class)
class GraphqlLimitsIT {
  static TestNode.Started node;
  static Client client;
  static Gql gql;

  /** 1 (articles) + 20 (edges) + 20 (nodes) + 20 (comment counts, batched apart). */
  static final String COST_61 = "{ articles(first: 20) { totalCount edges { cursor node { title commentsCount } } } }";

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.ofEntries(Map.entry("events.relay", "false"),
        Map.entry("graphql.maxDepth", "4"), Map.entry("graphql.maxAliases", "2"), Map.entry("graphql.maxCost", "100"),
        Map.entry("graphql.maxQueryBytes", "400"), Map.entry("graphql.maxPageSize", "20"),
        Map.entry("graphql.unpagedListSize", "10"), Map.entry("graphql.introspection", "off"),
        Map.entry("ratelimit.reads", "300/3600"), Map.entry("ratelimit.login", "2/300")));
    client = new Client(vertx, node.port());
    gql = new Gql(client);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  static JsonObject cost(JsonObject body) {
    return body.getJsonObject("extensions").getJsonObject("cost");
  }

  @Test
  void aQuerySpendsItsCostFromTheReadsBucketUntilItIsEmpty() {
    String token = client.register("gl-c").getString("token");
    JsonObject first = gql.ok(token, COST_61, null);
    assertNull(first.getJsonArray("errors"), first.encode());
    assertEquals(61, cost(first).getInteger("cost"));
    assertEquals(61, cost(first).getJsonObject("spent").getInteger("reads"));
    long left = cost(first).getJsonObject("remaining").getLong("reads");
    assertTrue(left >= 238 && left <= 240, "300 - 61, give or take a refilled token: " + left);

    JsonObject tags = gql.ok(token, "{ tags }", null);
    assertEquals(1, cost(tags).getInteger("cost"), "a query of scalars costs 1");
    JsonObject info = gql.ok(token, "{ articles(first: 20) { pageInfo { hasNextPage } } }", null);
    assertEquals(2, cost(info).getInteger("cost"), "pageInfo is once per connection, not per item");
    // 4 × 61 + 1 + 2 = 247 spent; 53 left, so the next 61 is refused
    for (int i = 0; i < 3; i++) assertNull(gql.ok(token, COST_61, null).getJsonArray("errors"));
    HttpResponse<Buffer> refused = gql.post(token, COST_61, null);
    assertEquals(429, refused.statusCode());
    assertEquals("RATE_LIMITED", Gql.code(refused.bodyAsJsonObject()));
    assertNotNull(refused.getHeader("Retry-After"));
    assertTrue(refused.getHeader("RateLimit").startsWith("\"reads\";r=0"), refused.getHeader("RateLimit"));
    // another user's bucket is their own
    assertNull(gql.ok(client.register("gl-d").getString("token"), COST_61, null).getJsonArray("errors"));
  }

  @Test
  void aMutationSpendsWritesAndAnAdmissionRead() {
    JsonObject author = client.register("gl-m");
    JsonObject article = client.article(author.getString("token"), "limits " + Client.unique("gl"));
    JsonObject body = gql.ok(author.getString("token"), "mutation { favorite(slug: \"" + article.getString("slug")
        + "\") { favorited author { username } } }", null);
    assertNull(body.getJsonArray("errors"), body.encode());
    assertEquals(2, cost(body).getInteger("cost"), "the article and its author");
    assertEquals(2, cost(body).getJsonObject("spent").getInteger("writes"));
    assertEquals(1, cost(body).getJsonObject("spent").getInteger("reads"));
  }

  @Test
  void signUpsPayTheAuthPolicyPerAddress() {
    String name = Client.unique("gl-r");
    JsonObject body = gql.ok(null, "mutation { register(input: {username: \"" + name + "\", email: \"" + name
        + "@example.com\", password: \"password-123\"}) { username } }", null);
    assertNull(body.getJsonArray("errors"), body.encode());
    assertEquals(1, cost(body).getJsonObject("spent").getInteger("auth"));
    assertNull(cost(body).getJsonObject("spent").getValue("writes"), "a sign-up is not a write of the caller's");
  }

  @Test
  void introspectionIsOffByDefaultInProd() {
    var prod = TestNode.config(0, Map.of("profile", "prod", "auth.jwtSecret", "x".repeat(40)));
    assertEquals("auto", prod.graphql().introspection());
    assertFalse(prod.graphql().introspectionOn(prod.production()));
    var dev = TestNode.config(0, Map.of());
    assertTrue(dev.graphql().introspectionOn(dev.production()));
  }

  @Test
  void deeplyNestedTextIsRefusedNotFailed() {
    HttpResponse<Buffer> r = gql.post(null, "{".repeat(190) + "}".repeat(190), null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("GRAPHQL_PARSE_FAILED", Gql.code(r.bodyAsJsonObject()));
  }

  @Test
  void theLoginPolicyPerEmailHoldsForGraphql() {
    JsonObject user = client.register("gl-l");
    String login = "mutation { login(input: {email: \"" + user.getString("email") + "\", password: \"wrong-password\"}) { token } }";
    assertEquals("UNAUTHENTICATED", Gql.code(gql.ok(null, login, null)));
    assertEquals("UNAUTHENTICATED", Gql.code(gql.ok(null, login, null)));
    JsonObject third = gql.ok(null, login, null);
    assertEquals("RATE_LIMITED", Gql.code(third), third.encode());
  }

  @Test
  void limitsRefuseBeforeExecution() {
    String token = client.register("gl-x").getString("token");
    JsonObject costly = gql.ok(token, "{ a: articles(first: 20) { edges { node { commentsCount } } }"
        + " b: articles(first: 20) { edges { node { commentsCount } } } }", null);
    assertEquals("TOO_COSTLY", Gql.code(costly));
    assertEquals(122, Gql.error(costly).getJsonObject("extensions").getInteger("cost"));
    assertNull(costly.getValue("data"));

    assertEquals("TOO_DEEP", Gql.code(gql.ok(token,
        "{ articles(first: 1) { edges { node { author { username } } } } }", null)));
    assertEquals("TOO_MANY_ALIASES", Gql.code(gql.ok(token, "{ a: tags b: tags c: tags }", null)));
    assertEquals("BAD_USER_INPUT", Gql.code(gql.ok(token, "{ articles(first: 21) { totalCount } }", null)));
    assertEquals("BAD_USER_INPUT", Gql.code(gql.ok(token, "{ articles(first: 0) { totalCount } }", null)));
    assertEquals("BAD_USER_INPUT", Gql.code(gql.ok(token, "query($n: Int!) { articles(first: $n) { totalCount } }",
        new JsonObject())), "a required variable missing");
    assertEquals("QUERY_TOO_LARGE", Gql.code(gql.ok(token, "{ tags }" + " ".repeat(400), null)));
    assertEquals("INTROSPECTION_DISABLED", Gql.code(gql.ok(token, "{ __schema { types { name } } }", null)));
    assertEquals("INTROSPECTION_DISABLED", Gql.code(gql.ok(token, "{ __type(name: \"Article\") { name } }", null)));
    // __typename is not introspection of the schema
    assertEquals("Query", gql.data(token, "{ __typename }", null).getString("__typename"));
    // fragments count where they are spread: an article's comments count 10 (graphql.unpagedListSize), 1 + 10 each
    JsonObject spread = gql.ok(token, "fragment C on Comment { author { username } }"
        + " { x: comments(slug: \"none-1\") { ...C } y: comments(slug: \"none-2\") { ...C } }", null);
    assertEquals(22, cost(spread).getInteger("cost"), spread.encode());
    assertEquals("NOT_FOUND", Gql.code(spread));
  }
}
