package surge.graphql;

import graphql.ExecutionResult;
import graphql.GraphQLError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.auth.Tokens;
import surge.core.ApiError;
import surge.core.Viewer;
import surge.observability.RequestIds;
import surge.observability.RequestLog;
import surge.ratelimit.Limiter;
import surge.stream.LiveTap;
import surge.stream.StreamEvent;
import surge.stream.StreamHub;
import surge.web.AuthHandler;

/**
 * One WebSocket speaking graphql-transport-ws (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md):
 * {@code connection_init} (its payload's {@code Authorization}, {@code Token <jwt>} as on REST, verified by the same
 * {@link Tokens}) → {@code connection_ack}; then {@code subscribe}, {@code next}, {@code error}, {@code complete},
 * {@code ping}/{@code pong}. Refusals of the protocol close the socket with its codes: 4400 a malformed message,
 * 4401 a subscribe before the ack, 4403 a refused token, 4408 no {@code connection_init} in time, 4409 a
 * subscription id in use, 4429 a second {@code connection_init}.
 *
 * <p>Everything runs on the event loop of the HTTP verticle that accepted the socket, which is also its hub's: the
 * hub hands every live event to {@link #onEvent}, which checks each subscription's filter (no I/O) and queues the
 * event on the subscriptions it concerns; each subscription resolves its events one after another, in order, like a
 * query of the subscriber (the same services, caches and per-viewer flags), and sends one {@code next} per event.
 */
final class GraphqlSocket {
  private static final Logger log = LoggerFactory.getLogger(GraphqlSocket.class);
  private static final Logger access = LoggerFactory.getLogger(RequestLog.ACCESS_LOGGER);
  /** Events one subscription may have waiting to be resolved before the socket counts as too slow. */
  static final int MAX_QUEUED_EVENTS = 64;
  private static final String PING = new JsonObject().put("type", "ping").encode();

  private final GraphqlEndpoint endpoint;
  private final Tokens tokens;
  private final Limiter limiter;
  private final String clientIp;
  private final GraphqlLimits limits;
  private final int maxBufferBytes;
  private final Map<String, Running> subscriptions = new HashMap<>();
  private ServerWebSocket ws;
  private StreamHub hub;
  private LiveTap tap;
  private Context context;
  private long initTimer = -1;
  private boolean initReceived;
  private boolean acked;
  private boolean closed;
  private Long user;
  private String token;
  /** The upgrade request's id, for the socket's access-log line. */
  private String requestId;
  private long openedAt;
  private long received;
  private long sent;
  /** The code this side closed with, if it did. */
  private Integer closeCode;

  GraphqlSocket(GraphqlEndpoint endpoint, Tokens tokens, Limiter limiter, String clientIp, GraphqlLimits limits,
                int maxBufferBytes) {
    this.endpoint = endpoint;
    this.tokens = tokens;
    this.limiter = limiter;
    this.clientIp = clientIp;
    this.limits = limits;
    this.maxBufferBytes = maxBufferBytes;
  }

  /** One subscription of this socket and the events it is working through. */
  private static final class Running {
    Subscription subscription;
    Future<Void> tail = Future.succeededFuture();
    int queued;
    boolean done;
  }

  /** The handshake is done: the socket holds {@code tap} (its slot) until it closes. */
  void open(ServerWebSocket ws, LiveTap tap, StreamHub hub, Vertx vertx, String requestId) {
    this.ws = ws;
    this.requestId = requestId;
    this.openedAt = System.nanoTime();
    this.tap = tap;
    this.context = vertx.getOrCreateContext();
    this.hub = hub;
    ws.setWriteQueueMaxSize(maxBufferBytes);
    ws.closeHandler(v -> closed());
    ws.exceptionHandler(failure -> closed()); // a reset peer: nothing to report
    ws.binaryMessageHandler(b -> close(4400, "Binary messages are not supported"));
    ws.textMessageHandler(this::onMessage);
    if (closed) { // the hub stopped during the handshake
      close(1001, "Server shutting down");
      return;
    }
    initTimer = vertx.setTimer(limits.socketInitMs(), id -> {
      if (!initReceived) close(4408, "Connection initialisation timeout");
    });
  }

  private void onMessage(String text) {
    if (closed) return;
    received++;
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      close(4400, "Invalid message received");
      return;
    }
    String type = message.getValue("type") instanceof String t ? t : "";
    switch (type) {
      case "connection_init" -> init(message.getValue("payload"));
      case "ping" -> send(new JsonObject().put("type", "pong"));
      case "pong" -> { }
      case "subscribe" -> subscribe(message);
      case "complete" -> complete(message.getValue("id"));
      default -> close(4400, "Invalid message received");
    }
  }

  /** Authenticates from the payload's {@code Authorization} (absent: anonymous), loads whom the user follows, acks. */
  private void init(Object payload) {
    if (initReceived) {
      close(4429, "Too many initialisation requests");
      return;
    }
    initReceived = true;
    if (payload != null && !(payload instanceof JsonObject)) {
      close(4400, "Invalid message received");
      return;
    }
    Object header = payload == null ? null : ((JsonObject) payload).getValue("Authorization");
    Future<Long> verified;
    if (header == null) {
      verified = Future.succeededFuture();
    } else {
      token = header instanceof String h ? AuthHandler.tokenOf(h) : null;
      verified = token == null ? Future.failedFuture(ApiError.invalidToken()) : tokens.verify(token);
    }
    verified.compose(id -> {
      if (closed) return Future.succeededFuture();
      user = id;
      return hub.listen(tap, id, this::onEvent);
    }).onComplete(done -> onLoop(() -> {
      if (closed) return;
      if (done.succeeded()) {
        acked = true;
        send(new JsonObject().put("type", "connection_ack"));
      } else if (done.cause() instanceof ApiError e && e.status() == 401) {
        close(4403, "Forbidden");
      } else {
        log.warn("connection_init failed: {}", done.cause().toString());
        close(1011, "Internal error");
      }
    }));
  }

  private void subscribe(JsonObject message) {
    if (!acked) {
      close(4401, "Unauthorized");
      return;
    }
    String id = message.getValue("id") instanceof String s && !s.isEmpty() ? s : null;
    JsonObject payload = message.getValue("payload") instanceof JsonObject p ? p : null;
    if (id == null || payload == null) {
      close(4400, "Invalid message received");
      return;
    }
    if (subscriptions.containsKey(id)) {
      close(4409, "Subscriber for " + id + " already exists");
      return;
    }
    if (subscriptions.size() >= limits.maxSubscriptionsPerSocket()) {
      error(id, GraphqlErrors.errors("TOO_MANY_SUBSCRIPTIONS", "a socket may run at most "
          + limits.maxSubscriptionsPerSocket() + " subscriptions", JsonObject.of("maxSubscriptionsPerSocket",
          limits.maxSubscriptionsPerSocket())));
      return;
    }
    Running running = new Running();
    subscriptions.put(id, running); // before anything async, so the id counts as in use at once
    Future.succeededFuture(payload)
        .map(p -> GraphqlRequest.fromPayload(p, limits.maxQueryBytes()))
        .compose(endpoint::subscription)
        .compose(subscription -> {
          if (subscription.signInRequired() && user == null) return Future.failedFuture(ApiError.missingToken());
          return pay(subscription).map(subscription);
        })
        .onSuccess(subscription -> onLoop(() -> {
          if (!running.done) running.subscription = subscription;
        }))
        .onFailure(failure -> onLoop(() -> {
          if (running.done || closed) return;
          subscriptions.remove(id);
          error(id, GraphqlEndpoint.errorsOf(failure));
        }));
  }

  /** A subscription costs its per-event cost once, from {@code reads}, when it starts; its events cost nothing more. */
  private Future<Void> pay(Subscription subscription) {
    if (limiter == null || !limiter.config().enabled()) return Future.succeededFuture();
    String principal = user != null ? "u:" + user : "ip:" + clientIp;
    return limiter.acquireMany(limiter.config().reads(), principal, subscription.shape().cost())
        .compose(d -> d.allowed() ? Future.succeededFuture() : Future.failedFuture(GraphqlErrors.rateLimited(d)));
  }

  private void complete(Object id) {
    if (!(id instanceof String key)) {
      close(4400, "Invalid message received");
      return;
    }
    Running running = subscriptions.remove(key);
    if (running != null) running.done = true;
  }

  /** From the hub, on this socket's loop: queue the event on every subscription it concerns. */
  private void onEvent(StreamEvent event) {
    if (closed) return;
    long viewer = user == null ? -1 : user;
    for (Map.Entry<String, Running> entry : subscriptions.entrySet()) {
      Running running = entry.getValue();
      if (running.subscription == null || !running.subscription.concerns(event, viewer, tap)) continue;
      if (running.queued >= MAX_QUEUED_EVENTS) {
        tooSlow();
        return;
      }
      running.queued++;
      String id = entry.getKey();
      // chained: a subscription's events are resolved and sent in the order they arrived
      running.tail = running.tail.transform(previous -> deliver(id, running, event));
    }
  }

  private Future<Void> deliver(String id, Running running, StreamEvent event) {
    if (running.done || closed) return Future.succeededFuture();
    Call call = new Call(Viewer.of(user), token);
    return endpoint.resolve(running.subscription, call, event, context)
        .map(result -> {
          running.queued--;
          if (!running.done && !closed && !gone(result)) {
            send(new JsonObject().put("type", "next").put("id", id).put("payload", new JsonObject(result.toSpecification())));
          }
          return (Void) null;
        })
        .recover(failure -> {
          running.queued--;
          log.error("subscription event failed", failure);
          return Future.succeededFuture();
        });
  }

  /** The entity the event names is no more (deleted, renamed): nothing to tell. */
  private static boolean gone(ExecutionResult result) {
    if (result.getData() != null) {
      Map<?, ?> data = result.getData();
      if (!data.values().stream().allMatch(java.util.Objects::isNull)) return false;
    }
    if (result.getErrors().isEmpty()) return false;
    for (GraphQLError e : result.getErrors()) {
      if (e.getExtensions() == null || !"NOT_FOUND".equals(e.getExtensions().get("code"))) return false;
    }
    return true;
  }

  /** Every {@code stream.heartbeatMs}: a protocol ping keeps proxies from closing an idle socket. */
  void heartbeat() {
    if (acked && !closed) sendRaw(PING);
  }

  /** The hub is stopping (the verticle is): tell the client to reconnect elsewhere. */
  void serverStopping() {
    if (ws == null) closed = true; // the handshake is still under way: open() closes it
    else close(1001, "Server shutting down");
  }

  private void error(String id, JsonArray errors) {
    send(new JsonObject().put("type", "error").put("id", id).put("payload", errors));
  }

  private void send(JsonObject message) {
    sendRaw(message.encode());
  }

  /** Writes unless the client stopped reading: past {@code stream.maxBufferBytes} unsent it is dropped, as a stream is. */
  private void sendRaw(String text) {
    if (closed) return;
    if (ws.writeQueueFull()) {
      tooSlow();
      return;
    }
    sent++;
    ws.writeTextMessage(text);
  }

  private void tooSlow() {
    log.debug("dropping a GraphQL socket that does not keep up");
    close(1013, "Too slow, reconnect");
  }

  private void close(int code, String reason) {
    if (closeCode == null) closeCode = code;
    closed();
    if (ws != null && !ws.isClosed()) ws.close((short) code, reason);
  }

  /** Callbacks of the token cache, Redis or the limiter may come back on another thread: the socket is single-threaded. */
  private void onLoop(Runnable step) {
    if (Vertx.currentContext() == context) step.run();
    else context.runOnContext(v -> step.run());
  }

  private void closed() {
    if (closed && tap == null) return;
    closed = true;
    if (initTimer >= 0) context.owner().cancelTimer(initTimer);
    for (Running running : subscriptions.values()) running.done = true;
    subscriptions.clear();
    if (tap != null) tap.close();
    tap = null;
    if (ws != null) logClosed();
  }

  /**
   * The socket's access-log line, when it closes: how long it was open, messages each way, the close code; the
   * upgrade request's id is on the line (the socket runs on the request's context) and among its key-values.
   */
  private void logClosed() {
    double ms = (System.nanoTime() - openedAt) / 1_000_000.0;
    Object code = closeCode != null ? closeCode : ws.closeStatusCode();
    access.atInfo().addKeyValue("rid", requestId).addKeyValue("method", "WS").addKeyValue("route", "/graphql")
        .addKeyValue("status", 101).addKeyValue("durationMs", ms).addKeyValue("received", received)
        .addKeyValue("sent", sent)
        .log("WS /graphql 101 {}ms in={} out={} close={}", ms, received, sent, code);
  }
}
