package surge.observability;

import java.util.Locale;
import surge.config.ConfigException;
import surge.config.ConfigTree;

/**
 * OpenTelemetry tracing ({@code tracing.*}), see {@link Tracing}.
 *
 * @param enabled install a tracer in Vert.x ({@code tracing.enabled}, default false: none, at no cost)
 * @param otlpEndpoint where spans are exported with OTLP, e.g. {@code http://127.0.0.1:4317}; empty: spans are made
 *     (trace ids in logs, {@code traceparent} propagated) but not exported ({@code tracing.otlpEndpoint})
 * @param otlpProtocol {@code grpc} (port 4317) or {@code http/protobuf} (port 4318, endpoint path
 *     {@code /v1/traces}) ({@code tracing.otlpProtocol})
 * @param serviceName the {@code service.name} resource attribute ({@code tracing.serviceName})
 * @param sampleRatio share of new traces sampled, 0..1; an incoming {@code traceparent}'s sampled flag is followed
 *     ({@code tracing.sampleRatio})
 */
public record TracingConfig(boolean enabled, String otlpEndpoint, String otlpProtocol, String serviceName, double sampleRatio) {
  public static final String GRPC = "grpc";
  public static final String HTTP_PROTOBUF = "http/protobuf";
  public static final TracingConfig OFF = new TracingConfig(false, "", GRPC, "surge", 1.0);

  /** The same settings with tracing on. */
  public TracingConfig withEnabled() {
    return new TracingConfig(true, otlpEndpoint, otlpProtocol, serviceName, sampleRatio);
  }

  public static TracingConfig from(ConfigTree c) {
    String endpoint = c.string("tracing.otlpEndpoint").trim();
    if (!endpoint.isEmpty() && !endpoint.matches("https?://\\S+")) {
      throw new ConfigException("config key tracing.otlpEndpoint (SURGE_TRACING_OTLP_ENDPOINT): expected an http:// or https:// URL, got '" + endpoint + "'");
    }
    String protocol = c.string("tracing.otlpProtocol").trim().toLowerCase(Locale.ROOT);
    if (!protocol.equals(GRPC) && !protocol.equals(HTTP_PROTOBUF)) {
      throw new ConfigException("config key tracing.otlpProtocol (SURGE_TRACING_OTLP_PROTOCOL): expected grpc or http/protobuf, got '" + protocol + "'");
    }
    String service = c.string("tracing.serviceName").trim();
    if (service.isEmpty()) throw new ConfigException("config key tracing.serviceName (SURGE_TRACING_SERVICE_NAME) must not be empty");
    double ratio;
    try {
      ratio = Double.parseDouble(c.string("tracing.sampleRatio").trim());
    } catch (NumberFormatException e) {
      ratio = Double.NaN;
    }
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new ConfigException("config key tracing.sampleRatio (SURGE_TRACING_SAMPLE_RATIO): expected a number from 0 to 1, got '"
          + c.string("tracing.sampleRatio") + "'");
    }
    return new TracingConfig(c.bool("tracing.enabled"), endpoint, protocol, service, ratio);
  }
}
