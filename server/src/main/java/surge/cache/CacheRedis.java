package surge.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.redis.RedisClients;
import surge.redis.RedisConfig;
import surge.resilience.Breaker;

/**
 * The cache's Redis: a command client behind a circuit breaker, and one subscriber connection to
 * the invalidation channel that carries invalidations between nodes.
 *
 * <p>Breaker ({@link Breaker}, named {@code redis-cache}): {@code redis.breakerFailures} commands in a row that fail
 * or take longer than {@code redis.timeoutMs} open it for {@code cache.redisBreakerMs}; while open no command
 * is sent (callers get a failed future at once, so requests never queue behind a dead Redis), then one command
 * probes.
 *
 * <p>L1 is usable only while the subscription is live: a node that cannot hear other nodes'
 * invalidations must not serve its in-process copies. When the subscription comes back, every L1 is
 * cleared (invalidations may have been missed meanwhile). L2 is usable while the breaker is closed;
 * a slow Redis (commands timing out, subscription still up) thus costs L2 but keeps L1 serving.
 */
public final class CacheRedis {
  private static final Logger log = LoggerFactory.getLogger(CacheRedis.class);
  /** The Redis pub/sub channel that carries invalidations between nodes, after the namespace: {@code surge:cache:<ns>:invalidate}. */
  public static final String CHANNEL = "invalidate";
  private static final long RESUBSCRIBE_MS = 1000;

  private final Vertx vertx;
  private final String channel;
  private final Redis commands;
  private final Redis subscriberClient;
  private final long timeoutMs;
  private final Breaker breaker;
  private final Consumer<JsonObject> onMessage;
  private final Runnable onResubscribed;
  private volatile boolean subscribed;
  private volatile boolean closed;
  private volatile RedisConnection subscriber;
  private volatile long retryTimer = -1;

  CacheRedis(Vertx vertx, RedisConfig redis, String namespace, long breakerMs, Consumer<JsonObject> onMessage,
             Runnable onResubscribed) {
    this.vertx = vertx;
    this.channel = namespace + CHANNEL;
    this.timeoutMs = redis.timeoutMs();
    Redis commands = RedisClients.client(vertx, redis, 8, "surge-redis-cache");
    this.commands = commands;
    this.breaker = RedisClients.breaker(vertx, redis, "redis-cache", breakerMs,
        "reads bypass the cache's L2 and strict reads go to the database", commands);
    this.onMessage = onMessage;
    this.onResubscribed = onResubscribed;
    this.subscriberClient = RedisClients.client(vertx, redis, 1, "surge-redis-cache-subscriber");
    subscribe();
  }

  /** Whether the cache may be used at all right now (breaker closed, invalidations heard). */
  boolean available() {
    return subscribed && !breakerOpen();
  }

  /** Whether this node hears invalidations: its L1 may be used (even while the breaker keeps L2 out). */
  boolean subscribed() {
    return subscribed;
  }

  /** Whether the breaker refuses commands now (half-open is not: its probe must be sent for it to close). */
  boolean breakerOpen() {
    return breaker.isOpen();
  }

  Breaker breaker() {
    return breaker;
  }

  /** Sends a command through the breaker: refused at once while it is open; failures and timeouts count towards opening it. */
  Future<Response> send(Request request) {
    return breaker.call(() -> commands.send(request));
  }

  /** Publishes an invalidation to every node (this one included, through its subscription). */
  Future<Void> publish(JsonObject message) {
    return send(Request.cmd(Command.PUBLISH).arg(channel).arg(message.encode())).mapEmpty();
  }

  private void subscribe() {
    if (closed) return;
    subscriberClient.connect()
        .compose(conn -> {
          conn.handler(this::message);
          conn.exceptionHandler(failure -> lost(conn, failure));
          conn.endHandler(end -> lost(conn, null));
          return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).timeout(timeoutMs, TimeUnit.MILLISECONDS).map(conn);
        })
        .onSuccess(conn -> {
          boolean first = subscriber == null;
          subscriber = conn;
          subscribed = true;
          onResubscribed.run();
          if (!first) log.info("cache invalidation channel subscribed again; L1 caches cleared");
        })
        .onFailure(failure -> retry());
  }

  private void lost(RedisConnection conn, Throwable failure) {
    if (conn != subscriber || !subscribed) return;
    subscribed = false;
    onResubscribed.run(); // nothing heard from now on: drop what could go stale
    if (!closed) log.warn("cache invalidation channel lost ({}); cache bypassed until it is back",
        failure == null ? "connection closed" : failure.toString());
    conn.close();
    retry();
  }

  private void retry() {
    if (closed || retryTimer >= 0) return;
    retryTimer = vertx.setTimer(RESUBSCRIBE_MS, t -> {
      retryTimer = -1;
      subscribe();
    });
  }

  private void message(Response response) {
    // RESP3 push or RESP2 array: ["message", channel, payload]
    if (response == null || (response.type() != ResponseType.PUSH && response.type() != ResponseType.MULTI)) return;
    if (response.size() < 3 || !"message".equals(response.get(0).toString())) return;
    try {
      onMessage.accept(new JsonObject(response.get(2).toString()));
    } catch (RuntimeException e) {
      log.warn("unreadable cache invalidation message: {}", e.toString());
    }
  }

  JsonObject status() {
    return new JsonObject()
        .put("redis", breakerOpen() ? "breaker-open" : "available")
        .put("subscribed", subscribed)
        .put("breaker", breaker.status());
  }

  Future<Void> close() {
    closed = true;
    subscribed = false;
    if (retryTimer >= 0) vertx.cancelTimer(retryTimer);
    return Future.join(commands.close(), subscriberClient.close()).mapEmpty();
  }
}
