package surge.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.VertxBuilder;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry for the node's Vert.x ({@code tracing.*}). Off by default, and then nothing is installed: Vert.x has
 * no tracer and its clients skip every tracing call. On, Vert.x gets vertx-opentelemetry's tracer with:
 * <ul>
 *   <li>W3C Trace Context only: an incoming {@code traceparent} is continued, outgoing requests carry one;</li>
 *   <li>a server span per HTTP request; client spans for SQL and Redis commands made while serving it (their
 *       clients' default policy, PROPAGATE); a span per Kafka send of the outbox relay (policy ALWAYS, see
 *       {@code surge.events.KafkaEvents});</li>
 *   <li>parent-based sampling, new traces at {@code tracing.sampleRatio};</li>
 *   <li>spans batched to the OTLP endpoint ({@code tracing.otlpEndpoint}, gRPC or HTTP/protobuf), or kept nowhere
 *       when it is empty (trace ids still reach logs and downstream calls).</li>
 * </ul>
 * The SDK is not registered as {@code GlobalOpenTelemetry}: only Vert.x uses it.
 */
public final class Tracing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tracing.class);
  private final OpenTelemetrySdk sdk;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
  }

  /** Tracing as configured: {@link #install} then adds nothing when {@code tracing.enabled} is false. */
  public static Tracing start(TracingConfig config) {
    if (!config.enabled()) return new Tracing(null);
    SpanExporter exporter = config.otlpEndpoint().isEmpty() ? null : otlp(config);
    log.info("tracing on: service {}, sample ratio {}, export {}", config.serviceName(), config.sampleRatio(),
        exporter == null ? "none" : config.otlpProtocol() + " " + config.otlpEndpoint());
    return new Tracing(sdk(config, exporter == null ? null : BatchSpanProcessor.builder(exporter).build()));
  }

  /** Tracing into a span processor of the caller's (tests: an in-memory exporter behind a simple processor). */
  public static Tracing with(TracingConfig config, SpanProcessor processor) {
    return new Tracing(sdk(config, processor));
  }

  /** Adds the tracer to a Vert.x builder; the builder as it is when tracing is off. */
  public VertxBuilder install(VertxBuilder builder) {
    return sdk == null ? builder : builder.withTracer(new OpenTelemetryTracingFactory(sdk));
  }

  public boolean enabled() {
    return sdk != null;
  }

  /** Flushes and stops the exporter; blocks up to 5 s, so call it off the event loops (Main's shutdown hook). */
  @Override
  public void close() {
    if (sdk != null) sdk.shutdown().join(5, TimeUnit.SECONDS);
  }

  private static OpenTelemetrySdk sdk(TracingConfig config, SpanProcessor processor) {
    Resource resource = Resource.getDefault().merge(
        Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName())));
    SdkTracerProviderBuilder tracers = SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())));
    if (processor != null) tracers.addSpanProcessor(processor);
    return OpenTelemetrySdk.builder()
        .setTracerProvider(tracers.build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  private static SpanExporter otlp(TracingConfig config) {
    return config.otlpProtocol().equals(TracingConfig.HTTP_PROTOBUF)
        ? OtlpHttpSpanExporter.builder().setEndpoint(config.otlpEndpoint()).build()
        : OtlpGrpcSpanExporter.builder().setEndpoint(config.otlpEndpoint()).build();
  }
}
