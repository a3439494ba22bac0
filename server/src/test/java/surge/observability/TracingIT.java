package surge.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;

/** OpenTelemetry on a real node: a traced request continues the caller's trace, with SQL spans under it. */
class TracingIT {
  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static Vertx vertx;
  private static Tracing tracing;
  private static TestNode.Started node;

  @BeforeAll
  static void start() {
    tracing = Tracing.with(TracingConfig.OFF.withEnabled(), SimpleSpanProcessor.create(spans));
    vertx = tracing.install(Vertx.builder()).build();
    node = TestNode.start(vertx, java.util.Map.of());
  }

  @AfterAll
  static void stop() {
    node.stop();
    vertx.close().await();
    tracing.close();
  }

  @Test
  void incomingTraceparentIsContinuedWithSqlSpansAndLoggedTraceId() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String parent = "00f067aa0ba902b7";
    WebClient web = WebClient.create(vertx);
    try (LogCapture capture = LogCapture.attach()) {
      // an author nobody has: a cache miss, so the list is read from every shard
      HttpResponse<Buffer> r = web.get(node.port(), "127.0.0.1", "/api/articles?author=" + Client.unique("nobody"))
          .putHeader("traceparent", "00-" + traceId + "-" + parent + "-01").send().await();
      assertEquals(200, r.statusCode());
      String traceResponse = r.getHeader("traceresponse");
      assertNotNull(traceResponse, "traceresponse header");
      assertTrue(traceResponse.startsWith("00-" + traceId + "-"), traceResponse);

      SpanData server = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(traceId));
      assertEquals(parent, server.getParentSpanId(), "the server span continues the caller's span");
      assertTrue(traceResponse.contains(server.getSpanId()), "traceresponse names the server span");
      SpanData sql = awaitSpan(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(traceId)
          && "postgresql".equals(attribute(s, "db.system")));
      assertEquals(server.getSpanId(), sql.getParentSpanId(), "SQL spans are children of the request's span");

      // the rate limiter's script (and the cache) go to Redis while serving the request
      SpanData redis = awaitSpan(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(traceId)
          && "redis".equals(attribute(s, "db.system")));
      assertEquals(server.getSpanId(), redis.getParentSpanId(), "Redis spans are children of the request's span");

      String requestId = r.getHeader("X-Request-Id");
      ILoggingEvent access = awaitAccessLine(capture, requestId);
      assertEquals(traceId, access.getMDCPropertyMap().get(RequestContextFilter.TRACE_ID), "trace id on the request's lines");
    } finally {
      web.close();
    }
  }

  @Test
  void offMeansNoTracer() {
    Tracing off = Tracing.start(TracingConfig.OFF);
    assertFalse(off.enabled());
    VertxBuilder builder = Vertx.builder();
    assertSame(builder, off.install(builder), "nothing added to Vert.x");
    Vertx plain = builder.build();
    try {
      assertNull(((VertxInternal) plain).tracer());
    } finally {
      plain.close().await();
      off.close();
    }
    assertNotNull(((VertxInternal) vertx).tracer(), "the traced node's Vert.x has one");
  }

  static String attribute(SpanData span, String key) {
    return span.getAttributes().asMap().entrySet().stream().filter(e -> e.getKey().getKey().equals(key))
        .map(e -> String.valueOf(e.getValue())).findFirst().orElse(null);
  }

  private static SpanData awaitSpan(java.util.function.Predicate<SpanData> match) throws InterruptedException {
    return awaitSpan(match, 10_000);
  }

  private static SpanData awaitSpan(java.util.function.Predicate<SpanData> match, long waitMs) throws InterruptedException {
    // what was last seen, should none match: every finished span
    List<SpanData> finished = Eventually.value("a matching span", Duration.ofMillis(waitMs), Duration.ofMillis(10),
        () -> List.copyOf(spans.getFinishedSpanItems()), all -> all.stream().anyMatch(match));
    return finished.stream().filter(match).findFirst().orElseThrow();
  }

  private static ILoggingEvent awaitAccessLine(LogCapture capture, String requestId) throws InterruptedException {
    return Eventually.value("the access line for " + requestId, Duration.ofSeconds(5), Duration.ofMillis(10),
        () -> capture.of(RequestLog.ACCESS_LOGGER).stream()
            .filter(e -> requestId.equals(e.getMDCPropertyMap().get(RequestContextFilter.REQUEST_ID))).findFirst(),
        java.util.Optional::isPresent).orElseThrow();
  }
}
