package surge.observability;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** A test appender on the root logger: keeps every event (MDC snapshotted on the logging thread). */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  private final JsonLines json;

  private LogCapture(LoggerContext context) {
    setContext(context);
    setName("capture-" + System.nanoTime());
    json = Logging.jsonEncoder(context);
  }

  static LogCapture attach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogCapture capture = new LogCapture(context);
    capture.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(capture);
    return capture;
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    events.add(event);
  }

  /** Everything a line could print: message, MDC, key/value pairs, throwable with its stack, as JSON too. */
  String everything() {
    return events.stream().map(e -> {
      String text = e.getFormattedMessage() + " " + e.getMDCPropertyMap() + " " + e.getKeyValuePairs();
      if (e.getThrowableProxy() != null) text += " " + ThrowableProxyUtil.asString(e.getThrowableProxy());
      return text + " " + json(e);
    }).collect(Collectors.joining("\n"));
  }

  String json(ILoggingEvent event) {
    return new String(json.encode(event), StandardCharsets.UTF_8);
  }

  List<ILoggingEvent> of(String logger) {
    return events.stream().filter(e -> e.getLoggerName().equals(logger)).toList();
  }

  @Override
  public void close() {
    Logger root = ((LoggerContext) getContext()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(this);
    stop();
  }
}
