package surge.stream;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.cluster.ClusterMembership;
import surge.events.LiveEvents;

/**
 * The live streams of one HTTP verticle instance. Each hub has its own consumer of {@link LiveEvents#ADDRESS},
 * its own heartbeat timer and its own replay ring, all on the verticle's event loop, which is also the loop of
 * every stream it holds: delivery, replay and bookkeeping never cross threads or take a lock, and "replay the
 * ring, then go live" happens in one turn of that loop, so a resuming stream neither misses nor repeats an
 * event. Every hub of every node receives every event (the relay publishes, not sends), so each ring holds the
 * same window and a client may resume on any hub of any node.
 *
 * <p>Costs per event: one JSON parse and one frame encoding per hub; new articles consider every stream of the hub
 * (a binary search each), the other events only their users' streams. Events fan out in order, at most
 * {@value #SLICE} streams per turn of the loop: one article for thousands of followers (each write is a syscall)
 * does not hold the loop, and requests of other connections get their turns in between. One periodic timer per hub
 * writes heartbeats; an idle stream costs no timer and no task of its own.
 *
 * <p>The hub also feeds {@link LiveTap}s, the GraphQL WebSockets this instance accepted: every event reaches every
 * listening tap in the hub's turn (a filter check each; the work of a matching subscription is deferred by the tap's
 * owner), so a socket on any node gets events published on any node through this same one consumer. Taps share the
 * streams' slots ({@code stream.maxConnections}), heartbeats and shutdown; they have no replay.
 */
public final class StreamHub {
  private static final Logger log = LoggerFactory.getLogger(StreamHub.class);
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence X_ACCEL_BUFFERING = HttpHeaders.createOptimized("X-Accel-Buffering");
  private static final CharSequence NO = HttpHeaders.createOptimized("no");
  /** Streams one turn of the loop writes to before it yields (measured: ~20–80 µs per write on 2 busy cores). */
  static final int SLICE = 256;

  private final Vertx vertx;
  private final Streams streams;
  private final ClusterMembership membership;
  private final StreamConfig config;
  private final ReplayRing ring;
  private final Set<StreamConnection> all = new LinkedHashSet<>();
  private final Map<Long, List<StreamConnection>> byUser = new HashMap<>();
  private final Set<LiveTap> taps = new LinkedHashSet<>();
  /** Events on their way to the hub's streams, oldest first; the head may be part-way through its streams. */
  private final ArrayDeque<Fanout> pending = new ArrayDeque<>();
  private boolean draining;
  /** Streams closed while a loop walked {@link #all}: unindexed when it is done. */
  private final List<StreamConnection> closedWhileWalking = new ArrayList<>();
  private boolean walking;
  private boolean stopped;
  private Context context;
  private ClusterMembership.Subscription consumer;
  private long timer = -1;

  public StreamHub(Vertx vertx, Streams streams, ClusterMembership membership) {
    this.vertx = vertx;
    this.streams = streams;
    this.membership = membership;
    this.config = streams.config();
    this.ring = new ReplayRing(config.replayEvents(), config.replayMs());
  }

  /** Call from the owning verticle's start(): binds the consumer and the timer to its event loop. */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    // Through the membership watcher, so a registration the cluster loses is made again; its handler runs on the
    // watcher's loop and hops here, in order, so the hub stays single-threaded.
    consumer = membership.<Object>consumer(LiveEvents.ADDRESS, message -> context.runOnContext(v -> onEvent(message)));
    timer = vertx.setPeriodic(config.heartbeatMs(), id -> heartbeat());
    streams.hubStarted();
    return consumer.ready();
  }

  /** Ends every stream (clients see a clean end and reconnect elsewhere), then stops listening. */
  public Future<Void> stop() {
    if (stopped) return Future.succeededFuture();
    stopped = true;
    streams.hubStopped();
    if (timer >= 0) vertx.cancelTimer(timer);
    for (StreamConnection c : List.copyOf(all)) {
      if (!c.markClosed()) continue;
      streams.release();
      HttpServerResponse response = c.request.response();
      if (!response.ended() && !response.closed()) response.end();
    }
    for (LiveTap tap : List.copyOf(taps)) {
      if (!tap.markClosed()) continue;
      streams.release();
      streams.socketClosed();
      tap.onStop.run();
    }
    taps.clear();
    all.clear();
    byUser.clear();
    pending.clear();
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /**
   * Takes a slot for a GraphQL WebSocket about to be accepted: null when the node holds {@code stream.maxConnections}
   * streams and sockets already (or the hub is stopping). {@code onStop} closes the socket when the hub stops;
   * {@code onHeartbeat} runs every {@code stream.heartbeatSeconds}. Call on this hub's event loop.
   */
  public LiveTap tap(Runnable onStop, Runnable onHeartbeat) {
    if (stopped || !streams.reserve()) return null;
    LiveTap tap = new LiveTap(this, onStop, onHeartbeat);
    taps.add(tap);
    streams.socketOpened();
    return tap;
  }

  /**
   * Starts delivering every event to {@code tap}, once the authors {@code user} follows are loaded (none for an
   * anonymous tap, {@code user} null). Completes on this hub's event loop; events before that are not delivered.
   */
  public Future<Void> listen(LiveTap tap, Long user, Consumer<StreamEvent> handler) {
    Future<long[]> followees = user == null ? Future.succeededFuture(Followees.NONE) : streams.followees(user);
    return followees.compose(loaded -> {
      Promise<Void> ready = Promise.promise();
      Runnable start = () -> {
        tap.user = user == null ? -1 : user;
        tap.followees = loaded;
        tap.handler = handler;
        ready.complete();
      };
      if (Vertx.currentContext() == context) start.run();
      else context.runOnContext(v -> start.run());
      return ready.future();
    });
  }

  void untap(LiveTap tap) {
    if (!taps.remove(tap)) return;
    streams.release();
    streams.socketClosed();
  }

  /** The position a stream opening now starts from (events after it are replayed once it is ready). */
  long position() {
    return ring.position();
  }

  Context context() {
    return context;
  }

  /**
   * Turns a request whose slot is reserved and whose followed authors are loaded into a live stream: head and
   * {@code retry:} line, then the events since {@code Last-Event-ID} (or since the request arrived), then live.
   * Runs on this hub's event loop.
   */
  void open(HttpServerRequest request, long user, long[] followees, String lastEventId, long arrivedAt) {
    HttpServerResponse response = request.response();
    if (stopped || response.closed() || response.ended()) {
      streams.release();
      if (stopped && !response.ended() && !response.closed()) request.connection().close();
      return;
    }
    StreamConnection c = new StreamConnection(request, user, followees);
    response.setStatusCode(200).setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
        .putHeader(X_ACCEL_BUFFERING, NO)
        .setWriteQueueMaxSize(config.maxBufferBytes());
    response.closeHandler(v -> closed(c));
    response.exceptionHandler(failure -> closed(c)); // a reset peer: nothing to report, the stream is over
    response.write(Sse.open(ring.newestId()));
    streams.opened.increment();
    index(c);
    replay(c, lastEventId, arrivedAt);
    c.from = ring.position();
  }

  private void replay(StreamConnection c, String lastEventId, long arrivedAt) {
    long from = arrivedAt;
    if (lastEventId != null) {
      streams.resumes.increment();
      from = ring.positionAfter(lastEventId, System.currentTimeMillis());
    }
    List<StreamEvent> missed = from < 0 ? null : ring.since(from);
    if (missed == null) {
      streams.resets.increment();
      if (!c.offer(Sse.reset(lastEventId, ring.newestId(), config.replayEvents(), config.replayMs() / 1000))) drop(c);
      return;
    }
    for (StreamEvent event : missed) {
      if (apply(c, event)) {
        streams.replayed.increment();
        streams.delivered.increment();
      }
      if (c.closed()) return;
    }
  }

  private void onEvent(Message<Object> message) {
    streams.received.increment();
    StreamEvent event;
    try {
      event = StreamEvent.parse(message.body());
    } catch (RuntimeException malformed) {
      streams.malformed.increment();
      log.debug("ignoring a malformed live event: {}", malformed.toString());
      return;
    }
    if (event == null || stopped) return;
    long seq = ring.position();
    ring.add(event, System.currentTimeMillis());
    pending.add(new Fanout(event, seq));
    if (!draining) drain();
    if (!taps.isEmpty()) tap(event);
  }

  /** Every listening tap gets the event, after its followed set took the event into account (as a stream's does). */
  private void tap(StreamEvent event) {
    for (LiveTap tap : taps.toArray(new LiveTap[0])) {
      if (tap.closed() || tap.handler == null) continue;
      tap.followees = Audience.followeesAfter(event, tap.user, tap.followees);
      tap.handler.accept(event);
    }
  }

  /** Works through {@link #pending} in order, {@value #SLICE} streams at a time, yielding the loop in between. */
  private void drain() {
    if (stopped) return;
    draining = true;
    int budget = SLICE;
    while (budget > 0 && !pending.isEmpty()) {
      Fanout head = pending.peek();
      if (head.targets == null) head.targets = candidates(head.event);
      budget -= head.run(budget);
      if (head.done()) pending.poll();
    }
    if (pending.isEmpty()) draining = false;
    else context.runOnContext(v -> drain());
  }

  /** The streams an event may concern, as a snapshot: streams that open later get it by replay, not from here. */
  private StreamConnection[] candidates(StreamEvent event) {
    return switch (event.kind()) {
      case ARTICLE_CREATED -> all.toArray(new StreamConnection[0]);
      case COMMENT_ADDED -> streamsOf(event.target(), -1);
      // the follower's streams update their followed set; the followee's are told
      case USER_FOLLOWED, USER_UNFOLLOWED -> streamsOf(event.actor(), event.target());
    };
  }

  private StreamConnection[] streamsOf(long user, long other) {
    List<StreamConnection> mine = byUser.get(user);
    List<StreamConnection> theirs = other < 0 ? null : byUser.get(other);
    List<StreamConnection> out = new ArrayList<>((mine == null ? 0 : mine.size()) + (theirs == null ? 0 : theirs.size()));
    if (mine != null) out.addAll(mine);
    if (theirs != null) out.addAll(theirs);
    return out.toArray(new StreamConnection[0]);
  }

  /** The same rules for live delivery and replay: first the stream's followed set, then whether it is told. */
  private boolean apply(StreamConnection c, StreamEvent event) {
    c.followees = Audience.followeesAfter(event, c.user, c.followees);
    if (!Audience.receives(event, c.user, c.followees)) return false;
    if (c.offer(event.frame())) return true;
    drop(c);
    return false;
  }

  /** One event's progress through its candidate streams. */
  private final class Fanout {
    final StreamEvent event;
    final long seq;
    StreamConnection[] targets;
    int next;

    Fanout(StreamEvent event, long seq) {
      this.event = event;
      this.seq = seq;
    }

    /** Handles up to {@code budget} streams; returns how many it handled. */
    int run(int budget) {
      int end = Math.min(targets.length, next + budget);
      int sent = 0;
      int handled = end - next;
      for (; next < end; next++) {
        StreamConnection c = targets[next];
        targets[next] = null;
        if (c.closed() || seq < c.from) continue;
        if (apply(c, event)) sent++;
      }
      if (sent > 0) streams.delivered.add(sent);
      return Math.max(handled, 1);
    }

    boolean done() {
      return next >= targets.length;
    }
  }

  private void heartbeat() {
    for (LiveTap tap : taps.toArray(new LiveTap[0])) if (!tap.closed()) tap.onHeartbeat.run();
    if (all.isEmpty()) return;
    // the position is what every stream has been through: only when no fan-out is part-way
    Buffer frame = Sse.heartbeat(pending.isEmpty() ? ring.newestId() : null);
    walking = true;
    int sent = 0;
    try {
      for (StreamConnection c : all) {
        if (c.closed()) continue;
        if (c.offer(frame)) sent++;
        else drop(c);
      }
    } finally {
      doneWalking();
    }
    streams.heartbeats.add(sent);
  }

  /**
   * A client that stopped reading: close its connection, which frees what Netty still holds for it (HTTP/2: reset
   * only this stream; the connection may carry the client's other requests, and flow control bounds the rest).
   */
  private void drop(StreamConnection c) {
    if (c.closed()) return;
    closed(c);
    streams.droppedSlow.increment(); // after the slot is released, so the counters never show it twice
    if (c.request.version() == HttpVersion.HTTP_2) c.request.response().reset();
    else c.request.connection().close();
  }

  private void closed(StreamConnection c) {
    if (!c.markClosed()) return;
    streams.release();
    if (walking) closedWhileWalking.add(c);
    else unindex(c);
  }

  private void doneWalking() {
    walking = false;
    for (StreamConnection c : closedWhileWalking) unindex(c);
    closedWhileWalking.clear();
  }

  private void index(StreamConnection c) {
    all.add(c);
    byUser.computeIfAbsent(c.user, u -> new ArrayList<>(1)).add(c);
  }

  private void unindex(StreamConnection c) {
    all.remove(c);
    List<StreamConnection> mine = byUser.get(c.user);
    if (mine == null) return;
    mine.remove(c);
    if (mine.isEmpty()) byUser.remove(c.user);
  }
}
