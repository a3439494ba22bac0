package surge.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;
import surge.config.Binder;
import surge.config.ConfigException;
import surge.config.ConfigTree;

/** The JSON line format, request-id and traceparent checks, and the log.* / tracing.* keys. */
class LoggingTest {
  private static final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @Test
  void jsonLineIsOneEscapedObjectWithMdcAndFields() {
    LoggingEvent event = new LoggingEvent("x", context.getLogger("surge.access"), Level.INFO,
        "GET {} 200\nforged line", new IllegalStateException("boom"), new Object[] {"/api/tags"});
    event.setMDCPropertyMap(Map.of("requestId", "0123456789abcdef", "traceId", "4bf92f3577b34da6a3ce929d0e0e4736"));
    event.addKeyValuePair(new KeyValuePair("status", 200));
    event.addKeyValuePair(new KeyValuePair("msg", "x"));
    String line = new String(Logging.jsonEncoder(context).encode(event), StandardCharsets.UTF_8);
    assertTrue(line.endsWith("\n"), "newline-terminated");
    assertFalse(line.substring(0, line.length() - 1).contains("\n"), "one line, the message's newline escaped: " + line);
    JsonObject json = new JsonObject(line);
    assertEquals("INFO", json.getString("level"));
    assertEquals("surge.access", json.getString("logger"));
    assertEquals("GET /api/tags 200\nforged line", json.getString("msg"));
    assertEquals("0123456789abcdef", json.getString("requestId"));
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", json.getString("traceId"));
    assertEquals(200, json.getValue("status"), "numbers stay numbers");
    assertEquals("x", json.getString("kv_msg"), "a key/value pair cannot shadow a fixed field");
    assertTrue(json.getString("ts").matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), json.getString("ts"));
    assertTrue(json.getString("error").contains("IllegalStateException: boom") && json.getString("error").contains("\tat "),
        "the stack trace: " + json.getString("error"));
  }

  @Test
  void requestIdsFromOutsideAreCheckedAndGeneratedOnesAreHex() {
    assertEquals("abc-1.2:3_4", RequestLog.validRequestId("abc-1.2:3_4"));
    for (String bad : new String[] {null, "", "a b", "a\nb", "a\"b", "x".repeat(65), "é"}) {
      assertNull(RequestLog.validRequestId(bad), String.valueOf(bad));
    }
    String id = RequestLog.newRequestId();
    assertTrue(id.matches("[0-9a-f]{16}"), id);
  }

  @Test
  void traceIdOfAWellFormedTraceparentOnly() {
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
        RequestLog.incomingTraceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertNull(RequestLog.incomingTraceId("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
    assertNull(RequestLog.incomingTraceId("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
    assertNull(RequestLog.incomingTraceId("00-4bf92f3577b34da6a3ce929d0e0e47\n6-00f067aa0ba902b7-01"));
    assertNull(RequestLog.incomingTraceId("garbage"));
    assertNull(RequestLog.incomingTraceId(null));
  }

  @Test
  void shippedDefaults() {
    ConfigTree c = ConfigTree.load(Path.of("conf/surge.json"), Map.of(), List.of());
    LogConfig log = Binder.bind(c, "log", LogConfig.class);
    assertEquals("auto", log.format());
    assertTrue(log.json(true) && !log.json(false), "auto: JSON in prod, text in dev");
    assertTrue(log.access());
    assertFalse(log.trustRequestId());
    assertFalse(Binder.bind(c, "tracing", TracingConfig.class).enabled(), "tracing off by default");
  }

  @Test
  void keysAreParsedAndBadValuesNamed() {
    ConfigTree c = ConfigTree.load(Path.of("conf/surge.json"), Map.of("SURGE_LOG_LEVEL", "debug"),
        List.of("--log.levels=surge.http=trace, io.vertx=WARN", "--log.format=JSON", "--tracing.enabled=true",
            "--tracing.sampleRatio=0.25", "--tracing.otlpEndpoint=http://collector:4318/v1/traces",
            "--tracing.otlpProtocol=http/protobuf"));
    LogConfig log = Binder.bind(c, "log", LogConfig.class);
    assertEquals("DEBUG", log.level());
    assertEquals(Map.of("surge.http", "TRACE", "io.vertx", "WARN"), log.loggerLevels());
    assertTrue(log.json(false));
    TracingConfig tracing = Binder.bind(c, "tracing", TracingConfig.class);
    assertEquals(0.25, tracing.sampleRatio());
    assertEquals(TracingConfig.HTTP_PROTOBUF, tracing.otlpProtocol());

    assertBad("log.format", "xml");
    assertBad("log.level", "LOUD");
    assertBad("log.levels", "surge.http");
    assertBad("tracing.sampleRatio", "1.5");
    assertBad("tracing.sampleRatio", "half");
    assertBad("tracing.otlpEndpoint", "collector:4317");
    assertBad("tracing.otlpProtocol", "thrift");
  }

  private static void assertBad(String key, String value) {
    ConfigException e = assertThrows(ConfigException.class, () -> {
      ConfigTree c = ConfigTree.load(Path.of("conf/surge.json"), Map.of(), List.of("--" + key + "=" + value));
      Binder.bind(c, "log", LogConfig.class);
      Binder.bind(c, "tracing", TracingConfig.class);
    }, key + "=" + value);
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
