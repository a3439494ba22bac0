package surge.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the current request's ids into the MDC ({@value #REQUEST_ID}, {@value #TRACE_ID}) just before a line is
 * logged, and takes them out on lines outside a request.
 *
 * <p>Why at logging time: an event loop interleaves many requests, and a request's code resumes on whichever
 * callback completes next, so an MDC set when a request starts would be wrong a hop later. The ids live in the
 * request's Vert.x context instead ({@link RequestIds}); this filter copies them to the thread's MDC on every
 * enabled logging call, which is where both the text pattern ({@code %X}) and the JSON encoder read them. It runs
 * synchronously on the logging thread, before the event is built; lines below the logger's level cost one comparison.
 * Declared as a {@code <turboFilter>} in logback.xml (and logback-test.xml).
 */
public final class RequestContextFilter extends TurboFilter {
  public static final String REQUEST_ID = "requestId";
  public static final String TRACE_ID = "traceId";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // isXxxEnabled() calls pass no format; disabled lines are not worth a lookup
    if (level == null || format == null && t == null || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL;
    }
    RequestIds ids = RequestIds.current();
    if (ids != null) {
      MDC.put(REQUEST_ID, ids.requestId());
      if (ids.traceId() != null) MDC.put(TRACE_ID, ids.traceId());
      else MDC.remove(TRACE_ID);
    } else if (MDC.get(REQUEST_ID) != null || MDC.get(TRACE_ID) != null) {
      MDC.remove(REQUEST_ID);
      MDC.remove(TRACE_ID);
    }
    return FilterReply.NEUTRAL;
  }
}
