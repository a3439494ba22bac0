package surge.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * The node's one meter registry (Prometheus format), built once per node before its Vert.x: {@code surge.Main} hands
 * it to the Vert.x builder ({@link #vertxBuilder}, through
 * {@link surge.cluster.Cluster#vertx(surge.cluster.ClusterConfig, Metrics, java.util.function.UnaryOperator)}), so Vert.x's own meters (HTTP server, pools,
 * event bus) and Surge's ({@code surge.server.SurgeMeters}, JVM) land in one registry and one scrape. A node started on a Vert.x built without it (the
 * tests' own) still gets Surge's and the JVM's meters.
 *
 * <p>Label bounds: HTTP requests are labelled by route template ({@link #route}), method and status class
 * ({@code code="2xx"}), never by raw path or client address; pools by type and name; the event bus by side only.
 */
public final class Metrics {
  /** The route label of a request whose path is outside every route and mount: one series, whatever the path. */
  public static final String UNMATCHED = "unmatched";
  /** Upper bounds of the HTTP server latency histogram (p50/p99 with {@code histogram_quantile}). */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  private static final String HTTP_SERVER_TIME = "vertx.http.server.response.time";

  private final boolean enabled;
  private final PrometheusMeterRegistry registry;
  private final AtomicReference<IntSupplier> streamConnections = new AtomicReference<>(() -> 0);
  /** Listens to the JVM's GC notifications until closed. */
  private JvmGcMetrics gc;

  private Metrics(boolean enabled) {
    this.enabled = enabled;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
        .meterFilter(MeterFilter.replaceTagValues(Label.HTTP_CODE.toString(), Metrics::statusClass))
        .meterFilter(MeterFilter.replaceTagValues(Label.HTTP_ROUTE.toString(), Metrics::route))
        .meterFilter(latencyHistogram());
    if (enabled) bindJvm();
  }

  /** A registry for the node; with {@code metrics.enabled} false nothing is bound and nothing is served. */
  public static Metrics create(MetricsConfig config) {
    return new Metrics(config.enabled());
  }

  public boolean enabled() {
    return enabled;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The registry in Prometheus text format (0.0.4). CPU work proportional to the series count: call it off the event loop. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Where the node's live-stream connection count comes from ({@code surge_stream_connections}); 0 until the stream
   * sets it. Call once, when the stream's connection registry exists.
   */
  public void streamConnections(IntSupplier connections) {
    streamConnections.set(connections);
  }

  public int streamConnections() {
    return streamConnections.get().getAsInt();
  }

  /**
   * A Vert.x builder with {@code options}: with metrics on, Vert.x's own meters go to this registry (under a registry
   * name of their own, so that two nodes in one JVM never share Vert.x's static backend registry).
   */
  public VertxBuilder vertxBuilder(VertxOptions options) {
    if (!enabled) return Vertx.builder().with(options);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName("surge-" + UUID.randomUUID())
        .setJvmMetricsEnabled(false) // bound here, for every node (see bindJvm)
        // NAMESPACE: a client's metrics name; the pg pools set theirs to the pool name (bounded: shards × roles)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME,
            Label.EB_SIDE, Label.EB_FAILURE, Label.NAMESPACE))
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
        // TCP client totals of every pg and Redis connection in one untagged series, whose gauge Micrometer warns
        // about at each new client; the pools' series say more.
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT);
    return Vertx.builder().with(options.setMetricsOptions(metrics)).withMetrics(new MicrometerMetricsFactory(registry));
  }

  private void bindJvm() {
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Stops the GC listener and closes the registry (after the node stopped; a scrape then shows nothing new). */
  public void close() {
    if (gc != null) gc.close();
    registry.close();
  }

  /** {@code 200} → {@code 2xx}: five values instead of one per status code. */
  static String statusClass(String code) {
    return code == null || code.isEmpty() ? code : code.charAt(0) + "xx";
  }

  /**
   * The route template of a request from what Vert.x Web reports: the names (paths) of every route that matched,
   * joined by {@code >}, sub-router mount points (they end in {@code /}) included. The label is the last mount before
   * the route that answered, plus that route: {@code /api/>/articles/:slug} → {@code /api/articles/:slug} (a request
   * under the {@code /api/v1} alias is routed again as its {@code /api} twin, so it counts under the same label).
   * A failed request (a handler called {@code ctx.fail}: 401, 404 of an unknown slug, 422, 5xx) walks the routes again
   * for failure handlers, which appends mounts after its route; its route is still the last non-mount name.
   * A request that reached no route inside its mount (404, 405, refused by the rate limiter or body limit) is
   * {@code /api/*}; one that reached none at all is {@value #UNMATCHED}. Either way the values are the route table's,
   * never a client's path.
   */
  static String route(String raw) {
    if (raw == null || raw.isEmpty()) return UNMATCHED;
    String[] names = raw.split(">");
    int endpoint = names.length - 1;
    while (endpoint >= 0 && (names[endpoint].isEmpty() || isMount(names[endpoint]))) endpoint--;
    if (endpoint < 0) return isMount(names[names.length - 1]) ? names[names.length - 1] + "*" : UNMATCHED;
    for (int i = endpoint - 1; i >= 0; i--) {
      if (isMount(names[i])) return names[i].substring(0, names[i].length() - 1) + names[endpoint];
    }
    return names[endpoint];
  }

  private static boolean isMount(String name) {
    return name.length() > 1 && name.endsWith("/");
  }

  /** Fixed latency buckets on the HTTP server timer: a bounded histogram, p99 by {@code histogram_quantile}. */
  private static MeterFilter latencyHistogram() {
    double[] slos = new double[LATENCY_BUCKETS.length];
    for (int i = 0; i < slos.length; i++) slos[i] = LATENCY_BUCKETS[i].toNanos();
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals(HTTP_SERVER_TIME)) return config;
        return DistributionStatisticConfig.builder().serviceLevelObjectives(slos).build().merge(config);
      }
    };
  }
}
