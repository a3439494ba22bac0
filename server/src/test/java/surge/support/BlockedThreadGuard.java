package surge.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Design rule: a Vert.x blocked-thread warning in a test log is a bug. This extension is registered
 * for every test class (junit-platform.properties turns on auto-detection; META-INF/services lists
 * it) and fails a class, in afterAll, when Vert.x reported a blocked thread while it ran.
 *
 * <p>Vert.x 5 logs the warning through SLF4J under the logger name {@value #VERTX_LOGGER} (kept from
 * Vert.x 4, although the class now lives in {@code io.vertx.core.internal.threadchecker}); the
 * {@link Recorder} appender declared for that logger in logback-test.xml records the events here.
 *
 * <p>afterAll callbacks run in reverse registration order, so a class's own extensions (such as
 * VertxExtension, which closes its Vert.x instance) finish before this check runs.
 */
public final class BlockedThreadGuard implements BeforeAllCallback, AfterAllCallback {
  /** The logger name Vert.x's BlockedThreadChecker uses. */
  public static final String VERTX_LOGGER = "io.vertx.core.impl.BlockedThreadChecker";

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BlockedThreadGuard.class);
  private static final String MARK = "mark";

  @Override
  public void beforeAll(ExtensionContext context) {
    // Initialises logback if nothing has yet, so that a missing appender is detected before the class runs.
    org.slf4j.LoggerFactory.getLogger(VERTX_LOGGER);
    if (!Recorder.installed) {
      throw new IllegalStateException("BlockedThreadGuard is blind: no " + Recorder.class.getName()
          + " appender for logger " + VERTX_LOGGER + " in logback-test.xml");
    }
    context.getStore(NAMESPACE).put(MARK, Recorder.EVENTS.size());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Integer mark = context.getStore(NAMESPACE).remove(MARK, Integer.class);
    List<String> events = List.copyOf(Recorder.EVENTS);
    List<String> during = events.subList(mark == null ? 0 : Math.min(mark, events.size()), events.size());
    if (!during.isEmpty()) {
      throw new AssertionError("Vert.x reported " + during.size() + " blocked thread(s) during "
          + context.getDisplayName() + " (blocked-thread warnings are bugs):\n  " + String.join("\n  ", during));
    }
  }

  /** Logback appender recording every WARN-or-worse event of the logger it is attached to. */
  public static final class Recorder extends AppenderBase<ILoggingEvent> {
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    static volatile boolean installed;

    @Override
    public void start() {
      super.start();
      installed = true;
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
        EVENTS.add("[" + event.getThreadName() + "] " + event.getLoggerName() + ": " + event.getFormattedMessage());
      }
    }
  }
}
