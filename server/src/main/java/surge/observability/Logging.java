package surge.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.*} to logback, once at start (before Vert.x starts, so every line of a run has one format):
 * levels of the root and of named loggers, and the JSON encoder on the root's console appender(s) when the format is
 * JSON. logback.xml stays the place for the text pattern and the quiet third-party loggers.
 *
 * <p>JSON lines are written by {@link JsonLines}: flat fields (the request id, trace id and the access log's fields at
 * the top level), see there why not logback's own JsonEncoder.
 */
public final class Logging {
  private static final Logger log = LoggerFactory.getLogger(Logging.class);

  private Logging() {}

  /** {@code production} decides {@code log.format=auto}. Does nothing if logback is not the SLF4J backend. */
  public static void apply(LogConfig config, boolean production) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.level()));
    config.loggerLevels().forEach((name, level) -> context.getLogger(name).setLevel(Level.toLevel(level)));
    ensureRequestFilter(context);
    routeJulToSlf4j(context);
    if (config.json(production)) {
      for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) useJson(context, appender);
      }
    }
    log.info("logging: format {}, level {}{}, access log {}", config.json(production) ? "json" : "text", config.level(),
        config.levels().isEmpty() ? "" : " " + config.loggerLevels(), config.access() ? "on" : "off");
  }

  /**
   * java.util.logging (used by the OpenTelemetry SDK and exporter) through SLF4J, so its lines get the same format;
   * the propagator keeps JUL's levels in step with logback's, so disabled JUL calls stay cheap.
   */
  static void routeJulToSlf4j(LoggerContext context) {
    if (org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) return;
    ch.qos.logback.classic.jul.LevelChangePropagator propagator = new ch.qos.logback.classic.jul.LevelChangePropagator();
    propagator.setContext(context);
    propagator.setResetJUL(true);
    context.addListener(propagator);
    propagator.start();
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
  }

  /** The request ids reach lines only through {@link RequestContextFilter}: make sure it is there. */
  static void ensureRequestFilter(LoggerContext context) {
    if (context.getTurboFilterList().stream().anyMatch(f -> f instanceof RequestContextFilter)) return;
    RequestContextFilter filter = new RequestContextFilter();
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
  }

  private static void useJson(LoggerContext context, OutputStreamAppender<ILoggingEvent> appender) {
    JsonLines encoder = jsonEncoder(context);
    appender.stop();
    appender.setEncoder(encoder);
    appender.start();
  }

  /** The started JSON-lines encoder. */
  public static JsonLines jsonEncoder(LoggerContext context) {
    JsonLines encoder = new JsonLines();
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }
}
