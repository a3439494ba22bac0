package surge.metrics;

import surge.config.Doc;

/** Micrometer metrics ({@code metrics.*}). */
@Doc("Micrometer metrics.")
public record MetricsConfig(
    @Doc("Build Vert.x with its Micrometer SPI, register Surge's and the JVM's meters and serve `GET /metrics` on the"
        + " management server.") boolean enabled) {}
