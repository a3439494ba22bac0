package surge.stream;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import surge.core.Viewer;
import surge.profiles.ProfilesService;

/**
 * What the live streams of one node share across its HTTP verticles: the config, the node-wide connection
 * count that enforces {@code stream.maxConnections}, the counters of {@code /health/stream}, and the followed
 * authors lookup. Everything here is thread-safe; each {@link StreamHub} keeps its own connections.
 */
public final class Streams {
  private final StreamConfig config;
  private final int maxConnections;
  private final ProfilesService profiles;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger hubs = new AtomicInteger();
  private final AtomicInteger sockets = new AtomicInteger();
  private final LongAdder socketsOpened = new LongAdder();
  final LongAdder opened = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder malformed = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder replayed = new LongAdder();
  final LongAdder droppedSlow = new LongAdder();
  final LongAdder resumes = new LongAdder();
  final LongAdder resets = new LongAdder();
  final LongAdder heartbeats = new LongAdder();

  /** {@code maxConnections}: the stream cap in force, {@code stream.maxConnections} or the node's connection budget. */
  public Streams(StreamConfig config, int maxConnections, ProfilesService profiles) {
    this.config = config;
    this.maxConnections = maxConnections;
    this.profiles = profiles;
  }

  public StreamConfig config() {
    return config;
  }

  /** Takes one of the node's {@code stream.maxConnections} slots; false when none is left. */
  boolean reserve() {
    if (open.incrementAndGet() <= maxConnections) return true;
    open.decrementAndGet();
    rejected.increment();
    return false;
  }

  void release() {
    open.decrementAndGet();
  }

  /** Open streams and GraphQL WebSockets on this node (the gauge {@code surge_stream_connections}). */
  public int connections() {
    return open.get();
  }

  void socketOpened() {
    sockets.incrementAndGet();
    socketsOpened.increment();
  }

  void socketClosed() {
    sockets.decrementAndGet();
  }

  void hubStarted() {
    hubs.incrementAndGet();
  }

  void hubStopped() {
    hubs.decrementAndGet();
  }

  /** The authors {@code user} follows now: one indexed query on the user's shard (follows live with the follower). */
  Future<long[]> followees(long user) {
    return profiles.followees(Viewer.of(user)).map(Followees::of);
  }

  /** {@code GET /health/stream}. */
  public JsonObject status() {
    return new JsonObject()
        .put("connections", open.get())
        .put("maxConnections", maxConnections)
        .put("hubs", hubs.get())
        .put("sockets", sockets.get())
        .put("socketsOpened", socketsOpened.sum())
        .put("opened", opened.sum())
        .put("rejected", rejected.sum())
        .put("received", received.sum())
        .put("malformed", malformed.sum())
        .put("delivered", delivered.sum())
        .put("replayed", replayed.sum())
        .put("droppedSlow", droppedSlow.sum())
        .put("resumes", resumes.sum())
        .put("resets", resets.sum())
        .put("heartbeats", heartbeats.sum());
  }
}
