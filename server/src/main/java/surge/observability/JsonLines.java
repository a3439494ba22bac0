package surge.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One flat JSON object per line, for Loki ({@code | json}) and Elasticsearch without an ingest pipeline:
 *
 * <pre>{"ts":"2026-11-29T05:47:01.123Z","level":"INFO","logger":"surge.access","thread":"vert.x-eventloop-thread-1",
 * "msg":"GET /api/tags 200 1.2ms 8975B","requestId":"42e5c35f02f7586c","traceId":"4bf9…4736","method":"GET",
 * "route":"/api/tags","status":200,"durationMs":1.2,"bytes":8975}</pre>
 *
 * <ul>
 *   <li>{@code ts} ISO-8601 UTC; {@code msg} the formatted message; MDC entries ({@code requestId}, {@code traceId})
 *       and SLF4J key/value pairs become top-level fields, numbers and booleans kept as such; a field that would
 *       shadow one of the fixed ones is prefixed {@code kv_};</li>
 *   <li>{@code error}: the throwable with its stack trace, as one string.</li>
 * </ul>
 * Escaping is jackson-core's (already on the class path through Vert.x), so a message with quotes, newlines or
 * control characters stays one line and cannot forge another. Logback's own {@code JsonEncoder} nests the MDC, turns
 * key/value pairs into an array of one-entry objects with string values and writes epoch milliseconds: every consumer
 * would need a pipeline to flatten it. logstash-logback-encoder would do, at the price of jackson-databind and a large
 * configuration surface for the eight fields Surge writes.
 */
public final class JsonLines extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] NONE = new byte[0];
  private static final Set<String> FIXED = Set.of("ts", "level", "logger", "thread", "msg", "error");

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("msg", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        for (Map.Entry<String, String> e : mdc.entrySet()) json.writeStringField(name(e.getKey()), e.getValue());
      }
      if (event.getKeyValuePairs() != null) {
        for (KeyValuePair kv : event.getKeyValuePairs()) field(json, name(kv.key), kv.value);
      }
      IThrowableProxy error = event.getThrowableProxy();
      if (error != null) json.writeStringField("error", ThrowableProxyUtil.asString(error));
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static String name(String key) {
    return FIXED.contains(key) ? "kv_" + key : key;
  }

  private static void field(JsonGenerator json, String name, Object value) throws IOException {
    json.writeFieldName(name);
    if (value == null) json.writeNull();
    else if (value instanceof Integer || value instanceof Long || value instanceof Short) json.writeNumber(((Number) value).longValue());
    else if (value instanceof Double || value instanceof Float) json.writeNumber(((Number) value).doubleValue());
    else if (value instanceof Boolean b) json.writeBoolean(b);
    else json.writeString(String.valueOf(value));
  }
}
