package surge.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/**
 * Automatic persisted queries: registered on one node, known to another through Redis, served as a cacheable GET;
 * the allow-list mode and the switch that turns them off.
 */
@ExtendWith(VertxExtension.class)
class GraphqlPersistedQueriesIT {
  static TestNode.Started node;
  static TestNode.Started other;
  static Client client;
  static Client otherClient;
  static WebClient web;
  static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    node = TestNode.start(v, Map.of("events.relay", "false"));
    other = TestNode.start(v, Map.of("events.relay", "false"));
    client = new Client(v, node.port());
    otherClient = new Client(v, other.port());
    web = WebClient.create(v, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(other.port()));
  }

  @AfterAll
  static void stop() {
    if (other != null) other.stop();
    if (node != null) node.stop();
  }

  static JsonObject persisted(String hash) {
    return JsonObject.of("persistedQuery", JsonObject.of("version", 1, "sha256Hash", hash));
  }

  static HttpResponse<Buffer> post(Client c, String query, JsonObject extensions, JsonObject variables) {
    JsonObject body = new JsonObject().put("extensions", extensions);
    if (query != null) body.put("query", query);
    if (variables != null) body.put("variables", variables);
    return c.post("/graphql", null, body);
  }

  @Test
  void registeredOnceThenSentByHashOnAnyNodeAndCachedAsGet() {
    // unique text, so no earlier run registered it
    String query = "query Tagged($t: String) { articles(tag: $t, first: 3) { totalCount } } # " + Client.unique("pq");
    String hash = PersistedQueries.sha256(query);
    JsonObject variables = JsonObject.of("t", Client.unique("none"));

    JsonObject unknown = post(client, null, persisted(hash), variables).bodyAsJsonObject();
    assertEquals("PERSISTED_QUERY_NOT_FOUND", Gql.code(unknown));
    assertEquals("PersistedQueryNotFound", Gql.error(unknown).getString("message"), "what Apollo clients look for");

    JsonObject registered = post(client, query, persisted(hash), variables).bodyAsJsonObject();
    assertEquals(0, registered.getJsonObject("data").getJsonObject("articles").getInteger("totalCount"), registered.encode());

    // the other node finds it in Redis; as a GET it is cacheable like REST
    String path = "/graphql?extensions=" + GraphqlIT.enc(persisted(hash).encode()) + "&variables="
        + GraphqlIT.enc(variables.encode());
    HttpResponse<Buffer> get = otherClient.get(path);
    assertEquals(200, get.statusCode(), get.bodyAsString());
    assertEquals(0, get.bodyAsJsonObject().getJsonObject("data").getJsonObject("articles").getInteger("totalCount"));
    String etag = get.getHeader("ETag");
    assertNotNull(etag);
    assertEquals("public, max-age=0, must-revalidate, s-maxage=5", get.getHeader("Cache-Control"));
    assertEquals(304, web.get(path).putHeader("If-None-Match", etag).send().await().statusCode());
  }

  @Test
  void aHashMustBeTheQuerysAndWellFormed() {
    JsonObject mismatch = post(client, "{ tags }", persisted("0".repeat(64)), null).bodyAsJsonObject();
    assertEquals("PERSISTED_QUERY_HASH_MISMATCH", Gql.code(mismatch));
    HttpResponse<Buffer> bad = post(client, null, JsonObject.of("persistedQuery", JsonObject.of("version", 1, "sha256Hash", "xyz")), null);
    assertEquals(200, bad.statusCode());
    assertEquals("BAD_REQUEST", Gql.code(bad.bodyAsJsonObject()));
  }

  @Test
  void anAllowListRunsOnlyItsOperations() throws Exception {
    String listed = "{ tags }";
    Path file = Files.createTempFile("surge-allow", ".json");
    Files.writeString(file, new JsonObject().put(PersistedQueries.sha256(listed), listed).encode());
    TestNode.Started strict = TestNode.start(vertx, Map.of("events.relay", "false", "graphql.allowListFile", file.toString()));
    try {
      Client c = new Client(vertx, strict.port());
      assertNotNull(post(c, null, persisted(PersistedQueries.sha256(listed)), null).bodyAsJsonObject()
          .getJsonObject("data").getJsonArray("tags"));
      assertNull(new Gql(c).ok(null, listed, null).getJsonArray("errors"), "the listed text itself runs too");
      assertEquals("PERSISTED_QUERY_NOT_ALLOWED", Gql.code(new Gql(c).ok(null, "{ viewer { username } }", null)));
      String unlisted = "{ __typename }";
      assertEquals("PERSISTED_QUERY_NOT_ALLOWED", Gql.code(post(c, unlisted, persisted(PersistedQueries.sha256(unlisted)), null)
          .bodyAsJsonObject()), "nothing is registered");
    } finally {
      strict.stop();
      Files.deleteIfExists(file);
    }
  }

  @Test
  void switchedOffHashesAreRefused() {
    TestNode.Started off = TestNode.start(vertx, Map.of("events.relay", "false", "graphql.persistedQueries", "false"));
    try {
      Client c = new Client(vertx, off.port());
      assertEquals("PERSISTED_QUERY_NOT_SUPPORTED", Gql.code(post(c, null, persisted("a".repeat(64)), null).bodyAsJsonObject()));
      assertNull(new Gql(c).ok(null, "{ tags }", null).getJsonArray("errors"), "plain queries still run");
    } finally {
      off.stop();
    }
  }
}
