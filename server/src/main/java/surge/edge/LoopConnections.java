package surge.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import surge.edge.ConnectionGuard.Closing;
import surge.edge.ConnectionTracker.State;

/**
 * The client connections of one event loop, touched on that loop only: their phases, a sweep a second that closes
 * those whose client overran a bound, and the oldest idle one when room must be made. (Vert.x hands a connection to
 * the loop its channel was registered on, which need not be the loop of the verticle instance whose handler sees it,
 * so the state lives with the loop, not the instance.)
 *
 * <p>HTTP/1.x phases are seen in the connection's Netty pipeline (Vert.x has no request-head or body-rate timeout): an
 * observer before the decoder notes the first byte of a request, one after it the decoded head and body parts and,
 * on the way out, the end of each response. HTTP/2 framing, header size and resets are Netty's; its connections are
 * followed by their open requests only.
 */
final class LoopConnections {
  static final long SWEEP_MS = 1000;
  private static final String EVENT_STREAM = "text/event-stream";
  static final AttributeKey<Tracked> KEY = AttributeKey.valueOf("surge.edge.tracked");

  private final EventLoop loop;
  private final ConnectionGuard guard;
  private final EdgeLimits limits;
  /** In accept order, so the oldest comes first when room must be made. */
  private final LinkedHashSet<Tracked> connections = new LinkedHashSet<>();
  /** Written on the loop, read by the guard's views and the acceptor (a recent value is enough there). */
  private final AtomicInteger[] counts = new AtomicInteger[State.values().length];
  /** Evictions the acceptor asked of this loop that have not run yet. */
  private final AtomicInteger evictionsAsked = new AtomicInteger();
  private final ScheduledFuture<?> sweep;

  LoopConnections(EventLoop loop, ConnectionGuard guard) {
    this.loop = loop;
    this.guard = guard;
    this.limits = guard.limits();
    for (int i = 0; i < counts.length; i++) counts[i] = new AtomicInteger();
    this.sweep = loop.scheduleAtFixedRate(() -> sweep(now()), SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
  }

  void cancel() {
    sweep.cancel(false);
  }

  int count(State state) {
    return counts[state.ordinal()].get();
  }

  /** A connection on this loop's channel, admitted ({@code gated}: by the accept gate, which releases it). */
  void track(HttpConnection connection, Channel channel, String address, boolean gated) {
    Tracked t = new Tracked(connection, channel, address, now(), gated);
    connections.add(t);
    counts[State.IDLE.ordinal()].incrementAndGet();
    channel.attr(KEY).set(t);
    channel.closeFuture().addListener(closed -> closed(t));
    if (!t.http2) observe(channel.pipeline(), t);
  }

  /** An HTTP/2 request on {@code channel} (this loop): its connection is in flight until every stream ended. */
  void http2Request(Channel channel, io.vertx.core.http.HttpServerRequest request) {
    Tracked t = channel.attr(KEY).get();
    if (t == null) return;
    t.pending++;
    move(t, State.IN_FLIGHT, now());
    boolean[] done = {false};
    Runnable finished = () -> {
      if (done[0]) return;
      done[0] = true;
      if (--t.pending <= 0) {
        t.pending = 0;
        move(t, State.IDLE, now());
      }
    };
    request.response().endHandler(v -> finished.run());
    request.response().closeHandler(v -> finished.run());
  }

  private void observe(ChannelPipeline pipeline, Tracked t) {
    pipeline.addBefore("httpDecoder", "surge-edge-bytes", new FirstByte(t));
    pipeline.addAfter("httpEncoder", "surge-edge-messages", new Phases(t));
  }

  private void closed(Tracked t) {
    if (!connections.remove(t)) return;
    counts[t.state.ordinal()].decrementAndGet();
    if (!t.gated) guard.release(t.address); // the gate releases its own when the channel closes
  }

  /** Idle or half-sent connections here that no eviction has been asked for yet (any thread; a recent count). */
  int evictable() {
    return count(State.IDLE) + count(State.READING_HEAD) - evictionsAsked.get();
  }

  /** From the acceptor: close the oldest idle or slow connection, on this loop. */
  void evictOldestSoon() {
    evictionsAsked.incrementAndGet();
    loop.execute(() -> {
      evictionsAsked.decrementAndGet();
      makeRoom();
    });
  }

  /** At capacity: close this loop's oldest idle or slow connection so that a new client gets in. On the loop. */
  boolean makeRoom() {
    for (Tracked t : connections) {
      if (t.closing == null && (t.state == State.IDLE || t.state == State.READING_HEAD)) {
        close(t, Closing.EVICTED);
        return true;
      }
    }
    return false;
  }

  private void sweep(long now) {
    boolean pressure = guard.underPressure();
    long idleBound = pressure ? Math.min(limits.idleTimeoutMs(), limits.pressureIdleTimeoutMs()) : limits.idleTimeoutMs();
    long headBound = pressure ? Math.min(limits.headTimeoutMs(), limits.pressureIdleTimeoutMs()) : limits.headTimeoutMs();
    List<Tracked> doomed = new ArrayList<>();
    for (Tracked t : connections) {
      if (t.closing != null) continue;
      t.closing = switch (t.state) {
        case IDLE -> now - t.since > idleBound ? (pressure ? Closing.EVICTED : Closing.IDLE_TIMEOUT) : null;
        case READING_HEAD -> now - t.since > headBound ? Closing.HEAD_TIMEOUT : null;
        case READING_BODY -> bodyTooSlow(t, now) ? Closing.BODY_SLOW : null;
        case IN_FLIGHT, STREAMING -> null; // the node's turn, bounded by http.requestTimeoutMs and the stream's rules
      };
      if (t.closing != null) doomed.add(t);
    }
    // closing can run the close listeners at once, which change the set: not while it is iterated
    for (Tracked t : doomed) close(t, t.closing);
  }

  /** A body that paused too long, or (past the grace) arrives slower than the minimum rate. */
  private boolean bodyTooSlow(Tracked t, long now) {
    if (!t.channel.config().isAutoRead()) {
      // The node paused reading (back-pressure): the wait is not the client's. Measure afresh once it reads again.
      t.bodyStart = now;
      t.lastBody = now;
      t.bodyBytes = 0;
      return false;
    }
    if (now - t.lastBody > limits.bodyIdleTimeoutMs()) return true;
    long counted = now - t.bodyStart - limits.bodyIdleTimeoutMs();
    return limits.bodyMinBytesPerSecond() > 0 && counted > 0
        && t.bodyBytes * 1000 < (long) limits.bodyMinBytesPerSecond() * counted;
  }

  private void close(Tracked t, Closing why) {
    t.closing = why;
    guard.closedBy(why, t.address);
    t.connection.close();
  }

  private void move(Tracked t, State to, long now) {
    if (t.state == to) return;
    counts[t.state.ordinal()].decrementAndGet();
    counts[to.ordinal()].incrementAndGet();
    t.state = to;
    t.since = now;
  }

  static long now() {
    return System.nanoTime() / 1_000_000;
  }

  /** One connection's phase and clocks; touched on its event loop only. */
  static final class Tracked {
    final HttpConnection connection;
    final Channel channel;
    final String address;
    /** HTTP/2: no HTTP/1.x decoder in the pipeline (Netty's frame codec decodes it); followed by its requests */
    final boolean http2;
    /** admitted by the accept gate, which releases its slot */
    final boolean gated;
    State state = State.IDLE;
    long since;
    long bodyStart;
    long lastBody;
    long bodyBytes;
    int pending;
    Closing closing;

    Tracked(HttpConnection connection, Channel channel, String address, long now, boolean gated) {
      this.connection = connection;
      this.channel = channel;
      this.address = address;
      this.gated = gated;
      this.http2 = channel.pipeline().get("httpDecoder") == null || channel.pipeline().get("httpEncoder") == null;
      this.since = now;
    }
  }

  /** Before the decoder: the first byte of a request moves an idle connection to reading its head. */
  private final class FirstByte extends ChannelInboundHandlerAdapter {
    private final Tracked t;

    FirstByte(Tracked t) {
      this.t = t;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (t.state == State.IDLE) move(t, State.READING_HEAD, now());
      ctx.fireChannelRead(msg);
    }
  }

  /** After the decoder: request heads and body parts coming in, response heads and ends going out. */
  private final class Phases extends ChannelDuplexHandler {
    private final Tracked t;

    Phases(Tracked t) {
      this.t = t;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      long now = now();
      if (msg instanceof HttpRequest) {
        t.pending++;
        t.bodyStart = now;
        t.lastBody = now;
        t.bodyBytes = 0;
        move(t, State.READING_BODY, now);
      }
      if (msg instanceof HttpContent content) {
        t.bodyBytes += content.content().readableBytes();
        t.lastBody = now;
      }
      if (msg instanceof LastHttpContent && t.state == State.READING_BODY) move(t, State.IN_FLIGHT, now);
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse response) {
        if (response.status().code() == 101) { // a WebSocket from now on: held like a stream, never idle-closed
          move(t, State.STREAMING, now());
          ctx.write(msg, promise);
          return;
        }
        if (response.status().code() < 200) { // 100 Continue: the request goes on
          ctx.write(msg, promise);
          return;
        }
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type != null && type.startsWith(EVENT_STREAM) && t.state == State.IN_FLIGHT) move(t, State.STREAMING, now());
      }
      if (msg instanceof LastHttpContent && t.pending > 0 && --t.pending == 0) move(t, State.IDLE, now());
      ctx.write(msg, promise);
    }
  }
}
