package surge.observability;

import java.util.Locale;
import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;

/** OpenTelemetry tracing ({@code tracing.*}), see {@link Tracing}. */
@Doc("OpenTelemetry tracing ([operations.md](operations.md#tracing)).")
public record TracingConfig(
    @Doc("Install a tracer in Vert.x (vertx-opentelemetry); off = none at all, at no cost.") boolean enabled,
    @Doc("Where spans are exported with OTLP, e.g. `http://127.0.0.1:4317`; empty = spans are made (trace ids in logs,"
        + " `traceparent` propagated) but not exported.") String otlpEndpoint,
    @Doc("`grpc` (port 4317) or `http/protobuf` (port 4318, URL ending in `/v1/traces`).") String otlpProtocol,
    @Doc("The `service.name` resource attribute.") String serviceName,
    @Doc("Share of new traces sampled, 0 to 1; an incoming `traceparent`'s sampled flag is followed.") double sampleRatio)
    implements Checked {
  public static final String GRPC = "grpc";
  public static final String HTTP_PROTOBUF = "http/protobuf";
  public static final TracingConfig OFF = new TracingConfig(false, "", GRPC, "surge", 1.0);

  public TracingConfig {
    otlpEndpoint = otlpEndpoint.trim();
    otlpProtocol = otlpProtocol.trim().toLowerCase(Locale.ROOT);
    serviceName = serviceName.trim();
  }

  /** The same settings with tracing on. */
  public TracingConfig withEnabled() {
    return new TracingConfig(true, otlpEndpoint, otlpProtocol, serviceName, sampleRatio);
  }

  @Override
  public void check() {
    if (!otlpEndpoint.isEmpty() && !otlpEndpoint.matches("https?://\\S+")) {
      throw ConfigException.key("tracing.otlpEndpoint", "expected an http:// or https:// URL, got '" + otlpEndpoint + "'");
    }
    if (!otlpProtocol.equals(GRPC) && !otlpProtocol.equals(HTTP_PROTOBUF)) {
      throw ConfigException.key("tracing.otlpProtocol", "expected grpc or http/protobuf, got '" + otlpProtocol + "'");
    }
    if (serviceName.isEmpty()) throw ConfigException.key("tracing.serviceName", "must not be empty");
    if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
      throw ConfigException.key("tracing.sampleRatio", "expected a number from 0 to 1, got '" + sampleRatio + "'");
    }
  }
}
