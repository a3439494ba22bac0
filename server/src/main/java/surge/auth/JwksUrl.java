package surge.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JWK set at {@code auth.jwksUrl}, fetched with the Vert.x WebClient every {@code auth.jwksRefreshMs} (sooner
 * when the server's {@code Cache-Control: max-age} says so), and also when a token names a key the set lacks — the way
 * providers rotate — at most once per {@code auth.jwksMinRefreshMs}, since anyone can send such tokens. One
 * fetch at a time: callers that arrive while one runs share it.
 *
 * <p>A failed fetch (network, timeout, status, body) keeps the last good set, is retried after
 * {@code auth.jwksMinRefreshMs}, and is logged once per streak of failures.
 *
 * <p>A verticle, one per node, so that its timer, its client and its bookkeeping live on one event loop of their own;
 * the HTTP verticles reach it through {@link #unknownKey}, which hops onto that loop.
 */
final class JwksUrl extends VerticleBase implements KeySource {
  private static final Logger log = LoggerFactory.getLogger(JwksUrl.class);
  /** Long enough for a distant provider, short enough that start-up or a request waiting on an unknown key does not hang. */
  static final int TIMEOUT_MS = 5_000;

  private final Vertx owner;
  private final String url;
  private final long refreshMs;
  private final long minRefreshMs;
  private final Consumer<List<JsonObject>> publish;
  private volatile KeySetStatus status;
  private volatile boolean closed;
  // Touched on this verticle's event loop only.
  private WebClient client;
  private Promise<Void> inFlight;
  private long lastOnDemand;
  private List<JsonObject> current = List.of();
  private long timer = -1;

  JwksUrl(Vertx owner, AuthConfig config, Consumer<List<JsonObject>> publish) {
    this.owner = owner;
    this.url = config.jwksUrl();
    this.refreshMs = config.jwksRefreshMs();
    this.minRefreshMs = config.jwksMinRefreshMs();
    this.publish = publish;
    this.status = KeySetStatus.initial("url", url);
    this.lastOnDemand = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(minRefreshMs); // the first may go at once
  }

  /** Deploys the verticle; completes after the first fetch, also when it failed (the node serves its own tokens). */
  @Override
  public Future<Void> open() {
    return owner.deployVerticle(this).mapEmpty();
  }

  @Override
  public Future<?> start() {
    // A redirect could lead from https to plain http, past the check on auth.jwksUrl: a provider's jwks_uri is final.
    client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false)
        .setConnectTimeout(TIMEOUT_MS).setUserAgent("surge-jwks"));
    return fetch();
  }

  @Override
  public Future<?> stop() {
    client.close(); // the timer goes with the deployment
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return context == null ? Future.succeededFuture() : owner.undeploy(deploymentID());
  }

  @Override
  public Future<Boolean> unknownKey() {
    if (closed || context == null) return Future.succeededFuture(false);
    Promise<Boolean> answer = Promise.promise();
    context.runOnContext(v -> onDemand().onComplete(answer));
    return answer.future();
  }

  @Override
  public KeySetStatus status() {
    return status;
  }

  private Future<Boolean> onDemand() {
    if (inFlight != null) return inFlight.future().map(true);
    long now = System.nanoTime();
    if (now - lastOnDemand < TimeUnit.MILLISECONDS.toNanos(minRefreshMs)) return Future.succeededFuture(false);
    lastOnDemand = now;
    return fetch().map(true);
  }

  /** Starts a fetch unless one runs; the future never fails (a failure is recorded and logged instead). */
  private Future<Void> fetch() {
    if (inFlight != null) return inFlight.future();
    Promise<Void> done = Promise.promise();
    inFlight = done; // before the request, which may fail on this very call
    get().onComplete(result -> finished(done, result.succeeded() ? result.result() : OptionalLong.empty()));
    return done.future();
  }

  /** The server's max-age when the fetch succeeded; a failure carries a reason fit for a log line (no body). */
  private Future<OptionalLong> get() {
    return client.getAbs(url).timeout(TIMEOUT_MS).putHeader("Accept", "application/jwk-set+json, application/json")
        .send()
        .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS) // the request's own timeout is per read: a trickling server outlasts it
        .map(this::accept)
        .onFailure(this::failed);
  }

  private OptionalLong accept(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) throw new IllegalStateException("HTTP " + response.statusCode());
    List<JsonObject> keys = signingKeys(response.body());
    if (status.failures() > 0) log.info("auth.jwksUrl {}: fetched again after {} failure(s)", url, status.failures());
    if (!keys.equals(current)) {
      publish.accept(keys);
      current = keys;
      log.info("auth: {} key(s) from {} in use", keys.size(), url);
    }
    status = status.loaded(keys.size());
    return maxAgeSeconds(response.getHeader("Cache-Control"));
  }

  private void failed(Throwable err) {
    if (closed) return;
    String reason = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    KeySetStatus before = status;
    status = before.failed(reason);
    if (before.failures() == 0) { // once per streak: a provider down for an hour is one warning, not hundreds
      log.warn("auth.jwksUrl {}: fetch failed, keeping the {} key(s) fetched last: {} (retrying; logged again only"
          + " after a success)", url, before.keys(), reason);
    }
  }

  private void finished(Promise<Void> done, OptionalLong maxAgeSeconds) {
    inFlight = null;
    schedule(status.failures() > 0 ? Math.min(refreshMs, minRefreshMs) : nextRefreshMs(refreshMs, minRefreshMs, maxAgeSeconds));
    done.complete();
  }

  private void schedule(long delayMs) {
    if (closed) return;
    if (timer >= 0) vertx.cancelTimer(timer); // an on-demand fetch restarts the period
    timer = vertx.setTimer(delayMs, id -> fetch());
  }

  /** A shorter max-age wins, but never below the on-demand floor, so {@code max-age=0} cannot make a node poll. */
  static long nextRefreshMs(long refreshMs, long minRefreshMs, OptionalLong maxAgeSeconds) {
    if (maxAgeSeconds.isEmpty()) return refreshMs;
    return Math.min(refreshMs, Math.max(maxAgeSeconds.getAsLong() * 1000, minRefreshMs));
  }

  /**
   * The set's signature keys. A symmetric ({@code oct}) key is dropped: a published set is readable by anyone, so such
   * a key would let anyone sign; so is a key marked for encryption. A set left empty is refused.
   */
  static List<JsonObject> signingKeys(Buffer body) {
    JsonArray keys;
    try {
      keys = body == null ? null : new JsonObject(body).getJsonArray("keys");
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalStateException("response is not a JWK set");
    }
    if (keys == null) throw new IllegalStateException("response has no \"keys\" array");
    List<JsonObject> usable = new ArrayList<>();
    for (Object key : keys) {
      if (key instanceof JsonObject jwk && !"oct".equals(jwk.getString("kty")) && "sig".equals(jwk.getString("use", "sig"))) {
        usable.add(jwk);
      }
    }
    if (usable.isEmpty()) throw new IllegalStateException("response has no public signature key");
    return usable;
  }

  /** {@code max-age} of a Cache-Control header; {@code no-cache} and {@code no-store} count as 0. */
  static OptionalLong maxAgeSeconds(String cacheControl) {
    if (cacheControl == null) return OptionalLong.empty();
    for (String directive : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
      String d = directive.trim();
      if (d.equals("no-cache") || d.equals("no-store")) return OptionalLong.of(0);
      if (d.startsWith("max-age=")) return seconds(d.substring("max-age=".length()));
    }
    return OptionalLong.empty();
  }

  private static OptionalLong seconds(String value) {
    try {
      return OptionalLong.of(Math.max(0, Long.parseLong(value.replace("\"", "").trim())));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
