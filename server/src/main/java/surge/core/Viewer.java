package surge.core;

/**
 * Who a request acts for: a user id, or nobody. It travels from the route to every repository so
 * that reads can honour read-your-writes (a user who just wrote reads from where that write is
 * visible) and writes can record what the user wrote. One instance per request.
 *
 * <p>A viewer of a request that writes (any method but GET and HEAD) reads from primaries only: the
 * checks before a write (does the article exist, who wrote this comment) must see the latest state,
 * not a replica's.
 */
public final class Viewer {
  private static final Viewer ANONYMOUS = new Viewer(null, false);
  private static final Viewer ANONYMOUS_WRITING = new Viewer(null, true);
  private final Long id;
  private final boolean writing;
  /** Read-your-writes state of this request, owned by the database layer; null until first needed. */
  private volatile Object consistency;
  /** Whether this request reads caches strictly, once looked up ({@code Caches#strict}); null until first needed. */
  private volatile io.vertx.core.Future<Boolean> strictReads;

  private Viewer(Long id, boolean writing) {
    this.id = id;
    this.writing = writing;
  }

  public static Viewer anonymous() {
    return ANONYMOUS;
  }

  /** The viewer of a reading request (GET, HEAD). */
  public static Viewer of(Long id) {
    return of(id, false);
  }

  /** The viewer of a request; {@code writing} for any request that may write, so that its reads go to primaries. */
  public static Viewer of(Long id, boolean writing) {
    if (id == null) return writing ? ANONYMOUS_WRITING : ANONYMOUS;
    return new Viewer(id, writing);
  }

  /** Whether this request's reads must go to primaries (it writes). */
  public boolean writing() {
    return writing;
  }

  /** The user id, or null when anonymous. */
  public Long id() {
    return id;
  }

  /** The user id of an authenticated request (routes that require auth). */
  public long user() {
    if (id == null) throw new IllegalStateException("anonymous viewer where a user is required");
    return id;
  }

  public boolean isAnonymous() {
    return id == null;
  }

  /**
   * This request's read-your-writes state, which the database layer makes on first use ({@code create}) and reads
   * back for the request's later queries; opaque to everyone else.
   */
  public Object consistency(java.util.function.Supplier<Object> create) {
    var known = consistency;
    if (known != null) return known;
    synchronized (this) {
      if (consistency == null) consistency = create.get();
      return consistency;
    }
  }

  /**
   * Whether this request must read caches strictly, as {@code lookup} answers it the first time it is asked: the
   * cache layer asks Redis at most once per request however many cached reads the request makes.
   */
  public io.vertx.core.Future<Boolean> strictReads(java.util.function.Supplier<io.vertx.core.Future<Boolean>> lookup) {
    var known = strictReads;
    if (known != null) return known;
    synchronized (this) {
      if (strictReads == null) strictReads = lookup.get();
      return strictReads;
    }
  }
}
