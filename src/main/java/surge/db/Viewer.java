package surge.db;

/**
 * Who a request acts for: a user id, or nobody. It travels from the route to every repository so
 * that reads can honour read-your-writes (a user who just wrote reads from where that write is
 * visible) and writes can record what the user wrote. One instance per request.
 */
public final class Viewer {
  private static final Viewer ANONYMOUS = new Viewer(null);
  private final Long id;
  /** Read-your-writes state of this request, owned by {@link PhysicalShard}; null until first needed. */
  volatile Object consistency;

  private Viewer(Long id) {
    this.id = id;
  }

  public static Viewer anonymous() {
    return ANONYMOUS;
  }

  public static Viewer of(Long id) {
    return id == null ? ANONYMOUS : new Viewer(id);
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
}
