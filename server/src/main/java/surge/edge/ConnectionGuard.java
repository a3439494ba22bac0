package surge.edge;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node-wide side of the edge, shared by every HTTP verticle instance: the connection budget and the count against
 * it, connections per client address, and the counters of refusals and closings by reason. Each instance's
 * {@link ConnectionTracker} asks it before keeping a new connection and tells it when one went. Thread-safe.
 */
public final class ConnectionGuard {
  /** Why a new connection was closed at once. */
  public enum Refusal {
    /** the node's connection budget was used up and nothing idle could make room */
    CAPACITY,
    /** its address already held {@code edge.maxConnectionsPerAddress} connections */
    PER_ADDRESS;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Why the node closed a connection it had kept. */
  public enum Closing {
    /** a request head did not complete within {@code edge.headTimeoutMs} */
    HEAD_TIMEOUT("request head incomplete in time"),
    /** a request body paused longer than {@code edge.bodyIdleTimeoutMs} or came slower than the minimum rate */
    BODY_SLOW("request body too slow"),
    /** no request for {@code edge.idleTimeoutMs} (or the shorter bound under pressure) */
    IDLE_TIMEOUT("connection idle too long"),
    /** idle or slow, closed to make room for a new client when the budget was used up */
    EVICTED("idle or slow connection closed to make room");

    final String what;

    Closing(String what) {
      this.what = what;
    }

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static final long PRESSURE_HOLD_MS = 2_500;
  private final EdgeLimits limits;
  private final FileBudget budget;
  private final int pressureAt;
  private final AtomicInteger open = new AtomicInteger();
  /** When the count was last seen at or over the pressure mark (ms, monotonic); pressure lasts a few sweeps. */
  private volatile long pressureSeen = Long.MIN_VALUE / 2;
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();
  private final LongAdder[] refused = adders(Refusal.values().length);
  private final LongAdder[] closed = adders(Closing.values().length);
  private final LongAdder accepted = new LongAdder();
  private final ConcurrentHashMap<io.netty.channel.EventLoop, LoopConnections> loops = new ConcurrentHashMap<>();
  private final AtomicInteger instances = new AtomicInteger();
  final EdgeLog log = new EdgeLog();

  public ConnectionGuard(EdgeLimits limits, FileBudget budget) {
    this.limits = limits;
    this.budget = budget;
    this.pressureAt = budget.pressureThreshold(limits.pressurePercent());
  }

  public EdgeLimits limits() {
    return limits;
  }

  public FileBudget budget() {
    return budget;
  }

  /**
   * Admission on the acceptor thread ({@link AcceptGate}): null when the new connection from {@code address} may stay,
   * else why not. Once the budget is used up, an instance with idle or slow connections is asked to close its oldest
   * one, and the newcomer takes that slot at once: the count runs over the budget by the evictions under way, never by
   * more than {@link #slack()}.
   */
  Refusal gate(String address) {
    return take(address, () -> {
      LoopConnections roomiest = null;
      int most = 0;
      for (LoopConnections t : loops.values()) {
        int evictable = t.evictable();
        if (evictable > most) {
          most = evictable;
          roomiest = t;
        }
      }
      if (roomiest == null) return false;
      roomiest.evictOldestSoon();
      return true;
    });
  }

  /**
   * Admission at the connection handler, where the gate could not be installed: {@code makeRoom} closes an idle or slow
   * connection of the calling instance, or says there is none.
   */
  Refusal admit(String address, java.util.function.BooleanSupplier makeRoom) {
    return take(address, makeRoom);
  }

  private Refusal take(String address, java.util.function.BooleanSupplier makeRoom) {
    boolean capped = limits.maxConnectionsPerAddress() > 0 && address != null && !limits.trustedProxy(address);
    if (capped && perAddress.merge(address, 1, Integer::sum) > limits.maxConnectionsPerAddress()) {
      releaseAddress(address);
      return refuse(Refusal.PER_ADDRESS, address);
    }
    int cap = budget.maxConnections();
    int now = open.incrementAndGet();
    if (cap > 0 && now > cap && (now > cap + slack() || !makeRoom.getAsBoolean())) {
      open.decrementAndGet();
      if (capped) releaseAddress(address);
      return refuse(Refusal.CAPACITY, address);
    }
    accepted.increment();
    if (now >= pressureAt) pressureSeen = System.nanoTime() / 1_000_000;
    return null;
  }

  /** How far evictions under way may take the count over the budget: a quarter of the reserve. */
  int slack() {
    return Math.max(8, budget.reserved() / 4);
  }

  /** A connection that {@link #gate} or {@link #admit} kept has closed. */
  void release(String address) {
    open.decrementAndGet();
    if (limits.maxConnectionsPerAddress() > 0 && address != null && !limits.trustedProxy(address)) releaseAddress(address);
  }

  private void releaseAddress(String address) {
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  private Refusal refuse(Refusal why, String address) {
    refused[why.ordinal()].increment();
    log.event("refused_" + why.label(), "refused new connections at accept", address);
    return why;
  }

  void closedBy(Closing why, String address) {
    closed[why.ordinal()].increment();
    log.event(why.label(), "closed connections: " + why.what, address);
  }

  /**
   * True while the share {@code edge.pressurePercent} of the budget is in use, and for {@link #PRESSURE_HOLD_MS} after it
   * was last: every instance's sweep then applies the short bound, even those that run after another instance's
   * sweep brought the count below the mark, so the node sheds its idle connections as a whole.
   */
  boolean underPressure() {
    if (open.get() >= pressureAt) {
      pressureSeen = System.nanoTime() / 1_000_000;
      return true;
    }
    return System.nanoTime() / 1_000_000 - pressureSeen < PRESSURE_HOLD_MS;
  }

  /** The connections of {@code loop}, made on first use (their sweep runs on that loop). */
  LoopConnections loop(io.netty.channel.EventLoop loop) {
    return loops.computeIfAbsent(loop, l -> new LoopConnections(l, this));
  }

  void instanceStarted() {
    instances.incrementAndGet();
  }

  /** When the node's last HTTP instance stopped, its connections are closed: the sweeps end too. */
  void instanceStopped() {
    if (instances.decrementAndGet() > 0) return;
    loops.values().forEach(LoopConnections::cancel);
    loops.clear();
  }

  /** Connections kept open now, on every instance. */
  public int open() {
    return open.get();
  }

  public long refused(Refusal why) {
    return refused[why.ordinal()].sum();
  }

  public long closed(Closing why) {
    return closed[why.ordinal()].sum();
  }

  /** Connections in {@code state} now, summed over the event loops. */
  public int inState(ConnectionTracker.State state) {
    int sum = 0;
    for (LoopConnections l : loops.values()) sum += l.count(state);
    return sum;
  }

  /** {@code GET /health/edge}. */
  public JsonObject status() {
    JsonObject states = new JsonObject();
    for (ConnectionTracker.State s : ConnectionTracker.State.values()) states.put(s.label(), inState(s));
    JsonObject refusals = new JsonObject();
    for (Refusal r : Refusal.values()) refusals.put(r.label(), refused(r));
    JsonObject closings = new JsonObject();
    for (Closing c : Closing.values()) closings.put(c.label(), closed(c));
    return new JsonObject()
        .put("open", open.get())
        .put("maxConnections", budget.maxConnections())
        .put("maxConnectionsPerAddress", limits.maxConnectionsPerAddress())
        .put("fileLimit", budget.fileLimit())
        .put("reservedFiles", budget.reserved())
        .put("underPressure", underPressure())
        .put("addresses", perAddress.size())
        .put("accepted", accepted.sum())
        .put("byState", states)
        .put("refused", refusals)
        .put("closed", closings);
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] out = new LongAdder[n];
    for (int i = 0; i < n; i++) out[i] = new LongAdder();
    return out;
  }
}
