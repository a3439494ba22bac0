package surge.observability;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.spi.context.storage.ContextLocal;

/**
 * The ids that tie a request's log lines together: the request id ({@code X-Request-Id}) and, when known, the W3C
 * trace id. {@link RequestLog} keeps them in the local data of the request's duplicated Vert.x context, which Vert.x
 * carries across every asynchronous hop of the request (SQL, Redis, worker pool), so {@link RequestContextFilter}
 * finds the right ids whichever event-loop thread logs and however requests interleave on it.
 *
 * @param requestId the request id; never null
 * @param traceId the 32-hex-digit trace id, or null when neither a tracer nor the client supplied one
 */
public record RequestIds(String requestId, String traceId) {
  /**
   * The slot in a context's local storage. Vert.x sizes each context's storage when the instance is built, so the slot
   * must exist before the first Vert.x of the JVM: {@link Registration}, a Vert.x service provider, loads this class
   * then.
   */
  static final ContextLocal<RequestIds> LOCAL = ContextLocal.registerLocal(RequestIds.class);

  /** The ids of the request whose code runs now on this thread, or null outside a request. */
  public static RequestIds current() {
    Context context = Vertx.currentContext();
    return context instanceof ContextInternal c && c.isDuplicate() ? c.getLocal(LOCAL) : null;
  }

  /**
   * Binds the ids to the current context, if it is a request's duplicated context (Vert.x runs every HTTP server
   * request on one); a shared event-loop context is left alone, or every later line on it would carry these ids.
   */
  static boolean bind(RequestIds ids) {
    Context context = Vertx.currentContext();
    if (!(context instanceof ContextInternal c) || !c.isDuplicate()) return false;
    c.putLocal(LOCAL, ids);
    return true;
  }

  /** Registers {@link #LOCAL} before Vert.x builds its first instance (META-INF/services/io.vertx.core.spi.VertxServiceProvider). */
  public static final class Registration implements io.vertx.core.spi.VertxServiceProvider {
    static {
      java.util.Objects.requireNonNull(LOCAL);
    }

    @Override
    public void init(io.vertx.core.internal.VertxBootstrap bootstrap) {
      // nothing to add: loading this class registered the slot
    }
  }
}
