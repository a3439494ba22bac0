package surge.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.Surge;
import surge.SurgeConfig;
import surge.cluster.Cluster;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * A node built as {@code Main} builds one (Vert.x with Micrometer metrics, one registry), scraped after some API
 * traffic: the expected series exist with bounded labels (route templates, method, status class), pool names per
 * shard and role, Surge's own meters, the JVM's; {@code /metrics} lives on the management port only, which listens on
 * loopback by default.
 */
@ExtendWith(VertxExtension.class)
class MetricsEndpointIT {
  static Vertx nodeVertx;
  static Surge node;
  static SurgeConfig config;
  static Client api;
  static WebClient management;
  static String scrape;
  /** The stack's replica ({@code host:port}), which every shard of the suite reads from. */
  static String replica;

  @BeforeAll
  static void start(Vertx clientVertx) {
    config = TestNode.config(0, Map.of(), true);
    replica = config.db().replicas().split(",")[0];
    Metrics metrics = Metrics.create(config.metrics());
    nodeVertx = Cluster.vertx(config.cluster(), metrics, java.util.function.UnaryOperator.identity()).await();
    node = Surge.start(nodeVertx, config, metrics).await();
    api = new Client(clientVertx, node.httpPort());
    management = WebClient.create(clientVertx);
    traffic();
    scrape = scrapeAfterGc();
  }

  /** {@code jvm_gc_pause_seconds} exists from the first collection on: make sure there was one since the node started. */
  private static String scrapeAfterGc() {
    System.gc();
    return Eventually.value("a GC pause in the scrape", Duration.ofSeconds(10), Duration.ofMillis(100),
        MetricsEndpointIT::scrape, text -> text.contains("jvm_gc_pause_seconds_count"));
  }


  /** Some of everything: a write, reads (cached), a 404 from a route, unmatched paths, the v1 prefix. */
  private static void traffic() {
    String token = api.register("metrics").getString("token");
    api.article(token, Client.unique("Metrics article"), "metrics");
    for (int i = 0; i < 3; i++) api.get("/api/articles?limit=5");
    api.get("/api/v1/tags");
    assertEquals(404, api.get("/api/articles/no-such-article-" + System.nanoTime()).statusCode());
    for (int i = 0; i < 5; i++) assertEquals(404, api.get("/no/such/path/" + i + "/" + System.nanoTime()).statusCode());
    for (int i = 0; i < 5; i++) assertEquals(404, api.get("/api/v1/nothing-" + System.nanoTime()).statusCode());
    api.get("/health/live");
  }

  private static String scrape() {
    HttpResponse<Buffer> response = management.get(node.managementPort(), "127.0.0.1", "/metrics").send().await();
    assertEquals(200, response.statusCode());
    assertTrue(response.getHeader("Content-Type").startsWith("text/plain"), response.getHeader("Content-Type"));
    return response.bodyAsString();
  }

  @AfterAll
  static void stop() {
    if (node != null) TestNode.stop(node);
    if (nodeVertx != null) nodeVertx.close().await();
  }

  @Test
  void httpRequestsCarryRouteTemplateMethodAndStatusClass() {
    assertSeries("vertx_http_server_requests_total", "code=\"2xx\"", "method=\"POST\"", "route=\"/api/users\"");
    assertSeries("vertx_http_server_requests_total", "code=\"2xx\"", "method=\"GET\"", "route=\"/api/articles\"");
    // /api/v1 is an alias: its requests count under the one API's templates, no series of their own
    assertSeries("vertx_http_server_requests_total", "code=\"2xx\"", "method=\"GET\"", "route=\"/api/tags\"");
    assertFalse(scrape.contains("route=\"/api/v1"), "no /api/v1 series");
    // a failed request keeps the template of the route that failed it
    assertSeries("vertx_http_server_requests_total", "code=\"4xx\"", "route=\"/api/articles/:slug\"");
    // unmatched paths collapse: one series each, whatever the path
    assertSeries("vertx_http_server_requests_total", "code=\"4xx\"", "route=\"unmatched\"");
    assertSeries("vertx_http_server_requests_total", "code=\"4xx\"", "route=\"/api/*\"");
    assertSeries("vertx_http_server_response_time_seconds_bucket", "route=\"/api/articles\"", "le=\"0.1\"");
  }

  @Test
  void labelsAreBounded() {
    Matcher routes = Pattern.compile("route=\"([^\"]*)\"").matcher(scrape);
    while (routes.find()) {
      String route = routes.group(1);
      assertFalse(route.contains("no-such") || route.contains("nothing-") || route.startsWith("/no/"), "raw path as route: " + route);
    }
    Matcher codes = Pattern.compile("code=\"([^\"]*)\"").matcher(scrape);
    while (codes.find()) assertTrue(codes.group(1).matches("[1-5]xx"), "status code, not class: " + codes.group(1));
    assertFalse(scrape.contains("remote=\""), "client addresses as labels");
    assertFalse(scrape.contains("path=\""), "raw paths as labels");
  }

  @Test
  void poolsPerShardAndRole() {
    String replicaPool = "replica-" + replica.replace(':', '-');
    for (String pool : List.of("surge-p0-primary", "surge-p1-primary", "surge-p0-" + replicaPool, "surge-p1-" + replicaPool)) {
      assertSeries("vertx_pool_in_use", "pool_name=\"" + pool + "\"", "pool_type=\"sql\"");
      assertSeries("vertx_pool_queue_pending", "pool_name=\"" + pool + "\"");
      assertSeries("vertx_pool_ratio", "pool_name=\"" + pool + "\"");
    }
    // queries per pool: the primary pools have served the requests made before the scrape
    for (String pool : List.of("surge-p0-primary", "surge-p1-primary")) {
      assertTrue(value("vertx_sql_processing_time_seconds_count", "client_namespace=\"" + pool + "\"") > 0, pool);
      assertSeries("vertx_sql_processing_pending", "client_namespace=\"" + pool + "\"");
    }
    assertSeries("vertx_pool_in_use", "pool_name=\"surge-redis-ratelimit\"", "pool_type=\"redis\"");
    assertSeries("vertx_pool_in_use", "pool_name=\"surge-redis-cache\"", "pool_type=\"redis\"");
  }

  @Test
  void surgeMeters() {
    assertSeries("surge_cache_requests_total", "cache=\"article\"", "result=\"l1_hit\"");
    assertSeries("surge_cache_requests_total", "cache=\"list\"", "result=\"miss\"");
    assertSeries("surge_ratelimit_decisions_total", "policy=\"reads\"", "decision=\"allowed\"");
    assertSeries("surge_ratelimit_decisions_total", "policy=\"writes\"", "decision=\"limited\"");
    assertSeries("surge_outbox_backlog_rows", "shard=\"p0\"");
    assertSeries("surge_outbox_published_total", "shard=\"p1\"");
    assertSeries("surge_replica_lag_bytes", "shard=\"p0\"", "replica=\"" + replica + "\"");
    assertSeries("surge_replica_lag_seconds", "shard=\"p1\"");
    assertSeries("surge_replica_in_rotation", "shard=\"p0\"");
    assertSeries("surge_stream_connections");
    for (String breaker : new String[] {"redis-cache", "redis-ratelimit", "redis-marks", "kafka"}) {
      assertEquals(0.0, value("surge_breaker_state", "breaker=\"" + breaker + "\""), breaker + " closed");
      assertSeries("surge_breaker_opened_total", "breaker=\"" + breaker + "\"");
    }
    assertTrue(value("surge_ratelimit_decisions_total", "policy=\"reads\"", "decision=\"allowed\"") >= 3,
        "read decisions counted");
  }

  @Test
  void jvmEventBusAndKafka() {
    assertSeries("jvm_memory_used_bytes", "area=\"heap\"");
    assertSeries("jvm_gc_pause_seconds_count");
    assertSeries("jvm_threads_live_threads");
    assertSeries("process_uptime_seconds");
    assertSeries("vertx_eventbus_handlers");
    assertSeries("kafka_producer_record_send_total");
  }

  @Test
  void operatorViewsOnTheManagementPortAndToDirectLocalCallersOfTheApi() {
    for (String view : List.of("shards", "events", "cache", "ratelimit", "cluster", "stream", "auth")) {
      HttpResponse<Buffer> there = management.get(node.managementPort(), "127.0.0.1", "/health/" + view).send().await();
      assertEquals(200, there.statusCode(), view);
      assertFalse(there.bodyAsJsonObject().isEmpty(), view);
      assertEquals(200, api.get("/health/" + view).statusCode(), view + " to a shell on the node");
      // a reverse proxy on the same host connects from loopback too: what it forwards is not a local caller
      for (String header : List.of("X-Forwarded-For", "Forwarded", "X-Real-IP")) {
        HttpResponse<Buffer> proxied = management.get(node.httpPort(), "127.0.0.1", "/health/" + view)
            .putHeader(header, header.equals("Forwarded") ? "for=203.0.113.7" : "203.0.113.7").send().await();
        assertEquals(404, proxied.statusCode(), view + " through a proxy (" + header + ")");
      }
    }
    assertTrue(management.get(node.managementPort(), "127.0.0.1", "/health/events").send().await()
        .bodyAsJsonObject().containsKey("kafkaBreaker"));
  }

  @Test
  void notOnTheApiPort() {
    assertEquals(404, api.get("/metrics").statusCode());
  }

  @Test
  void managementListensOnLoopbackOnly() throws IOException {
    assertEquals("127.0.0.1", config.management().host(), "conf/surge.json's default");
    int port = node.managementPort();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    }
    for (InetAddress other : otherAddresses()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(other, port), 2000);
        fail("management port reachable on " + other);
      } catch (IOException expected) {
        // refused: bound to loopback only
      }
    }
  }

  /** This machine's non-loopback IPv4 addresses (none in a bare container: the loopback check above still ran). */
  private static List<InetAddress> otherAddresses() throws IOException {
    return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .toList();
  }

  /** What the alert rules and the dashboard query is what a node exposes: no typo, no renamed meter. */
  @Test
  void monitoringFilesUseScrapedNames() throws IOException {
    Pattern metric = Pattern.compile("\\b((?:vertx|surge|jvm|kafka_producer|process|system)_[a-z0-9_]+)");
    for (String file : List.of("monitoring/prometheus/alerts.yml", "monitoring/grafana/surge-dashboard.json")) {
      Matcher names = metric.matcher(java.nio.file.Files.readString(java.nio.file.Path.of(file)));
      int found = 0;
      while (names.find()) {
        found++;
        String name = names.group(1);
        // a series, or a histogram's family name (its series carry _bucket, _count, _sum)
        assertTrue(series(name) != null || scrape.contains("# TYPE " + name + " "), file + " names " + name + ", not scraped");
      }
      assertTrue(found > 5, "no metric names found in " + file);
    }
  }

  /** A series of {@code name} carrying every one of {@code labels} exists in the scrape. */
  private static void assertSeries(String name, String... labels) {
    assertTrue(series(name, labels) != null, "no series " + name + " with " + List.of(labels));
  }

  private static double value(String name, String... labels) {
    String line = series(name, labels);
    assertTrue(line != null, "no series " + name + " with " + List.of(labels));
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  private static String series(String name, String... labels) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) continue;
      boolean all = true;
      for (String label : labels) all &= line.contains(label);
      if (all) return line;
    }
    return null;
  }
}
