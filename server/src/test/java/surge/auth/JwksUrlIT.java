package surge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.Ports;
import surge.support.TestNode;

/**
 * An external issuer's keys fetched from {@code auth.jwksUrl}: a JWK set server started by the test (RSA keys made
 * here), a node pointed at it. The steps run in order on one node: key 1 verifies; the server rotates to key 2 and a
 * token naming it verifies at once (fetched because its {@code kid} was unknown); tokens naming a key the set does not
 * have stay 401 without a fetch each; with the server gone the last keys keep working. A second node, whose first
 * fetch failed, serves its own tokens and takes the external ones once the server is up.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwksUrlIT {
  static final String EXTERNAL = "https://login.example.org/";
  /** Short, so the outage step need not wait long for the next fetch it may cause. */
  static final int MIN_REFRESH_SECONDS = 3;
  static KeyPair key1;
  static KeyPair key2;
  static KeyPair stranger;
  static JwksServer server;
  static TestNode.Started node;
  static Client client;
  static String subject;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    key1 = rsa();
    key2 = rsa();
    stranger = rsa();
    server = JwksServer.start(vertx, 0);
    server.publish(jwks(key1, "k1"));
    node = TestNode.start(vertx, settings(server.port()));
    client = new Client(vertx, node.port());
    subject = sub(client.register("jwksurl").getString("token"));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (server != null) server.close();
  }

  @Test
  @Order(1)
  void aTokenSignedByThePublishedKeyIsAccepted(Vertx vertx) {
    assertEquals(200, status(client, token(vertx, key1, "k1")));
    assertEquals(1, server.fetches(), "fetched once, at start-up");
    JsonObject jwks = keySet(client);
    assertEquals("url", jwks.getString("source"));
    assertEquals(1, jwks.getInteger("keys"));
    assertNotNull(jwks.getString("loadedAt"));
    assertNull(jwks.getString("lastError"));
  }

  @Test
  @Order(2)
  void aRotatedKeyIsFetchedWhenATokenNamesIt(Vertx vertx) {
    server.publish(jwks(key2, "k2")); // the provider rotated: its refresh period is an hour away
    int before = server.fetches();
    assertEquals(200, status(client, token(vertx, key2, "k2")), "key 2 taken without a restart");
    assertEquals(before + 1, server.fetches(), "one fetch, caused by the unknown kid");
  }

  @Test
  @Order(3)
  void unknownKeyIdsStay401WithoutAFetchEach(Vertx vertx) {
    String forged = token(vertx, stranger, "k-unpublished");
    int before = server.fetches();
    long started = System.currentTimeMillis();
    for (int i = 0; i < 10; i++) assertEquals(401, status(client, forged), "a key the set does not have");
    long elapsed = System.currentTimeMillis() - started;
    // Each request checks its token twice (limiter and auth): without a limit that is 20 fetches.
    int allowed = 1 + (int) (elapsed / (MIN_REFRESH_SECONDS * 1000L));
    assertTrue(server.fetches() - before <= allowed,
        (server.fetches() - before) + " fetches for 10 requests in " + elapsed + " ms; at most " + allowed);
  }

  @Test
  @Order(4)
  void theLastKeysKeepWorkingWhileTheServerIsDown(Vertx vertx) {
    String byKey2 = token(vertx, key2, "k2");
    String forged = token(vertx, stranger, "k-unpublished");
    server.close();
    // An unknown kid makes the node fetch again once the rate limit allows: that fetch fails.
    Eventually.until("a failed fetch while the server is down", Duration.ofSeconds(15),
        () -> status(client, forged) == 401 && keySet(client).getString("lastError") != null);
    assertEquals(200, status(client, byKey2), "the last good set still verifies");
    JsonObject jwks = keySet(client);
    assertEquals(1, jwks.getInteger("keys"));
    assertTrue(jwks.getInteger("failures") >= 1, jwks.encode());
  }

  @Test
  @Order(5)
  void aNodeWhoseFirstFetchFailedServesItsOwnTokensAndTakesExternalOnesOnceFetched(Vertx vertx) {
    int port = Ports.free(); // nothing listens there yet; the node is told it before the server starts there
    try (Warnings warnings = Warnings.of(JwksUrl.class)) {
      TestNode.Started late = TestNode.start(vertx, settings(port));
      JwksServer lateServer = null;
      try {
        Client lateClient = new Client(vertx, late.port());
        JsonObject own = lateClient.register("jwksfirst");
        assertEquals(200, status(lateClient, own.getString("token")), "its own HS256 tokens work");
        String external = token(vertx, key1, "k1", sub(own.getString("token")));
        assertEquals(401, status(lateClient, external), "no external key yet");
        assertEquals(0, keySet(lateClient).getInteger("keys"));
        assertNotNull(keySet(lateClient).getString("lastError"));

        Eventually.until("a second failed fetch", Duration.ofSeconds(15), () -> status(lateClient, external) == 401
            && keySet(lateClient).getInteger("failures") >= 2);
        assertEquals(1, warnings.count(), "one warning per streak of failures: " + warnings.messages());
        assertFalse(warnings.messages().contains(external), "no token in the log");

        lateServer = JwksServer.start(vertx, port);
        lateServer.publish(jwks(key1, "k1"));
        Eventually.until("the external token accepted once the set is fetched", Duration.ofSeconds(15),
            () -> status(lateClient, external) == 200);
        assertEquals(0, keySet(lateClient).getInteger("failures"));
      } finally {
        late.stop();
        if (lateServer != null) lateServer.close();
      }
    }
  }

  private static Map<String, String> settings(int jwksPort) {
    return Map.of("auth.jwksUrl", "http://127.0.0.1:" + jwksPort + "/.well-known/jwks.json",
        "auth.externalIssuers", EXTERNAL, "auth.jwksRefreshMs", "3600000",
        "auth.jwksMinRefreshMs", Integer.toString(MIN_REFRESH_SECONDS * 1000));
  }

  private static int status(Client client, String token) {
    return client.get("/api/user", token).statusCode();
  }

  private static JsonObject keySet(Client client) {
    return client.get("/health/auth").bodyAsJsonObject().getJsonObject("jwks");
  }

  private static String token(Vertx vertx, KeyPair pair, String kid) {
    return token(vertx, pair, kid, subject);
  }

  /** An external issuer's RS256 token for Surge user {@code sub}, naming its key in {@code kid}. */
  private static String token(Vertx vertx, KeyPair pair, String kid, String sub) {
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem).setId(kid)));
    return signer.generateToken(new JsonObject().put("sub", sub), new JWTOptions().setAlgorithm("RS256")
        .setIssuer(EXTERNAL).setAudience(List.of("surge-api")).setExpiresInSeconds(600));
  }

  private static String sub(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]))).getString("sub");
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  /** A JWK set holding the public half of one key, as an OIDC provider publishes it. */
  private static JsonObject jwks(KeyPair pair, String kid) {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
        .put("n", url.encodeToString(unsigned(key.getModulus().toByteArray())))
        .put("e", url.encodeToString(unsigned(key.getPublicExponent().toByteArray())));
    return new JsonObject().put("keys", new JsonArray().add(jwk));
  }

  private static byte[] unsigned(byte[] bytes) {
    return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  /** The provider's JWK set endpoint: serves whatever set was published last, and counts the fetches. */
  static final class JwksServer {
    private final AtomicReference<JsonObject> set = new AtomicReference<>(new JsonObject().put("keys", new JsonArray()));
    private final AtomicInteger fetches = new AtomicInteger();
    private HttpServer http;

    static JwksServer start(Vertx vertx, int port) {
      JwksServer server = new JwksServer();
      server.http = vertx.createHttpServer().requestHandler(request -> {
        server.fetches.incrementAndGet();
        request.response().putHeader("Content-Type", "application/jwk-set+json").end(server.set.get().encode());
      }).listen(port, "127.0.0.1").await();
      return server;
    }

    int port() {
      return http.actualPort();
    }

    void publish(JsonObject jwks) {
      set.set(jwks);
    }

    int fetches() {
      return fetches.get();
    }

    void close() {
      if (http != null) http.close().await();
      http = null;
    }
  }

  /** Warnings of one logger, captured for the duration of a test. */
  static final class Warnings extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final ch.qos.logback.classic.Logger logger;

    private Warnings(Class<?> source) {
      logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(source);
      setContext(logger.getLoggerContext());
      start();
      logger.addAppender(this);
    }

    static Warnings of(Class<?> source) {
      return new Warnings(source);
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.WARN)) warnings.add(event.getFormattedMessage());
    }

    int count() {
      return warnings.size();
    }

    String messages() {
      return String.join("\n", warnings);
    }

    @Override
    public void close() {
      logger.detachAppender(this);
      stop();
    }
  }
}
