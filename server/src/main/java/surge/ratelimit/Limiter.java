package surge.ratelimit;

import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.redis.LuaScript;
import surge.redis.RedisClients;
import surge.redis.RedisConfig;
import surge.resilience.Breaker;

/**
 * Distributed token buckets with node-local leases.
 *
 * <p>Each (policy, principal) has one bucket in Redis, refilled and debited atomically by {@link #SCRIPT}
 * (Redis {@code TIME}, never node clocks). A node does not ask Redis per request: it takes a <em>lease</em> of
 * up to {@code leaseSize} tokens in one call and spends it in memory (lock-free); concurrent requests that find the
 * lease empty share one in-flight call per key. A hot key's lease doubles while leases last under
 * {@link #HOT_LEASE_MS} (up to {@link #MAX_LEASE_FACTOR} × leaseSize) and is at least the number of requests
 * already waiting for it. Leased tokens are already debited from the shared bucket, so
 * admissions over all nodes never exceed what the bucket handed out: at most {@code quota + refill × elapsed},
 * exactly the single-bucket limit. Leases shrink as the bucket runs low ({@code max(1, tokens / (2 × nodes))}),
 * so few tokens sit idle on one node while another is refused; unused leased tokens expire after
 * {@code leaseTtlMs} (lost, never returned: that can only under-admit). When Redis answers "empty, next token
 * in t ms", the node refuses that key locally for t ms without asking again.
 *
 * <p>Redis down, slow or flushed: every call waits at most {@code redis.timeoutMs}; a failed call's waiters are
 * decided by the fallback below, and {@code redis.breakerFailures} failures in a row open the limiter's circuit
 * breaker ({@link Breaker}, {@code redis-ratelimit}) for {@code breakerMs}: Redis is skipped and each node enforces
 * an in-memory bucket of {@code quota / nodes} per key, so the cluster total stays within the limit. A flushed
 * Redis loses the script (reloaded on NOSCRIPT) and the buckets (they start full again).
 */
public final class Limiter {
  private static final Logger log = LoggerFactory.getLogger(Limiter.class);
  private static final String KEY_PREFIX = "surge:rl:";
  /** A lease spent faster than this makes the next one twice as large (up to {@link #MAX_LEASE_FACTOR} × leaseSize). */
  static final long HOT_LEASE_MS = 100;
  static final int MAX_LEASE_FACTOR = 16;
  /** Retries after lost races for fresh lease tokens before a request is refused (the bucket is then nearly empty). */
  private static final int MAX_ATTEMPTS = 16;
  /**
   * KEYS[1] bucket; ARGV: capacity, tokens per ms, lease size, nodes. Returns {granted, tokens left (floored),
   * ms until one token}.
   */
  static final String SCRIPT = String.join("\n",
      "local cap = tonumber(ARGV[1])",
      "local rate = tonumber(ARGV[2])",
      "local lease = tonumber(ARGV[3])",
      "local nodes = tonumber(ARGV[4])",
      "local t = redis.call('TIME')",
      "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)",
      "local b = redis.call('HMGET', KEYS[1], 'tk', 'ts')",
      "local tokens = tonumber(b[1])",
      "local ts = tonumber(b[2])",
      "if tokens == nil or ts == nil then tokens = cap ts = now end",
      "if now > ts then tokens = math.min(cap, tokens + (now - ts) * rate) ts = now end",
      "local n = math.min(lease, math.max(1, math.floor(tokens / (2 * nodes))), math.floor(tokens))",
      "if n < 0 then n = 0 end",
      "tokens = tokens - n",
      "redis.call('HSET', KEYS[1], 'tk', tostring(tokens), 'ts', tostring(ts))",
      "redis.call('PEXPIRE', KEYS[1], math.ceil((cap - tokens) / rate) + 1000)",
      "local wait = 0",
      "if tokens < 1 then wait = math.ceil((1 - tokens) / rate) end",
      "return {n, math.floor(tokens), wait}");
  static final String SHA = LuaScript.sha1(SCRIPT);

  /** Per (policy, principal) state on this node; guarded by its own monitor. */
  private static final class Key {
    final String redisKey;
    final Policy policy;
    /** Leased tokens left; spent lock-free (may dip a little below 0 under races: read as empty). */
    final AtomicInteger lease = new AtomicInteger();
    volatile long leaseExpiresNs;
    volatile long remoteRemaining;
    long emptyUntilNs;
    volatile long lastUsedNs = System.nanoTime();
    /** The lease call in flight, completing with whether Redis answered. */
    Future<Boolean> inflight;
    /** Requests parked on {@link #inflight}: the next lease asks for at least that many. */
    int waiting;
    /** Lease size to ask for: doubles while leases last under {@link #HOT_LEASE_MS}, back to leaseSize when not. */
    int want;
    long leaseGrantedNs;
    LocalBucket fallback;
    /** The policy's decision counters ([0] allowed, [1] limited), shared by its keys. */
    final LongAdder[] decisions;

    Key(String redisKey, Policy policy, LongAdder[] decisions) {
      this.redisKey = redisKey;
      this.policy = policy;
      this.decisions = decisions;
    }
  }

  /** Counters for {@code /health/ratelimit}. */
  private final LongAdder allowed = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder redisCalls = new LongAdder();
  private final LongAdder localDecisions = new LongAdder();
  private final LongAdder fallbacks = new LongAdder();
  /** Per policy (fixed at start): [0] allowed, [1] limited; read by metrics. */
  private final Map<Policy, LongAdder[]> decisions = new IdentityHashMap<>();

  private final Redis redis;
  private final RateLimits config;
  private final Breaker breaker;
  /** Per policy (fixed at start), per principal. */
  private final Map<Policy, ConcurrentHashMap<String, Key>> keys = new IdentityHashMap<>();
  private final Vertx vertx;
  /** When idle keys were last forgotten; the sweep runs on a request's thread at most every {@link #SWEEP_NS}. */
  private final AtomicLong lastSweepNs = new AtomicLong(System.nanoTime());
  private static final long SWEEP_NS = 5_000_000_000L;
  private Future<Void> ready = Future.succeededFuture();

  Limiter(Vertx vertx, Redis redis, RateLimits config, RedisConfig redisConfig) {
    this.vertx = vertx;
    this.redis = redis;
    this.config = config;
    this.breaker = RedisClients.breaker(vertx, redisConfig, "redis-ratelimit", config.breakerMs(),
        "each node enforces quota / " + config.nodes() + " per key", redis);
    for (Policy p : List.of(config.reads(), config.writes(), config.auth(), config.login())) {
      keys.put(p, new ConcurrentHashMap<>());
      decisions.put(p, new LongAdder[] {new LongAdder(), new LongAdder()});
    }
  }

  public static Limiter create(Vertx vertx, RedisConfig redis, RateLimits config) {
    Redis client = RedisClients.client(vertx, redis, 8, "surge-redis-ratelimit");
    Limiter limiter = new Limiter(vertx, client, config, redis);
    // loaded once; EVALSHA afterwards (a flushed or restarted Redis answers NOSCRIPT: see lease())
    limiter.ready = client.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
        .timeout(Math.max(1000, redis.timeoutMs()), TimeUnit.MILLISECONDS)
        .onFailure(e -> log.info("rate-limit script not loaded at start ({}); loaded on first use", e.toString()))
        .<Void>mapEmpty().otherwiseEmpty();
    return limiter;
  }

  /** Completes once the start-up script load answered or gave up (tests wait for it; requests need not). */
  public Future<Void> ready() {
    return ready;
  }

  public RateLimits config() {
    return config;
  }

  /** Takes one token of {@code policy} for {@code principal}; never fails, waits at most about {@code redis.timeoutMs}. */
  public Future<Decision> acquire(Policy policy, String principal) {
    return acquire(policy, principal, 0);
  }

  /**
   * Takes {@code tokens} tokens of {@code policy} for {@code principal} (a GraphQL query's computed cost): the first
   * refusal ends it, and what was taken before it stays spent (a refused costly query is not free). Tokens come from
   * the node's lease as single ones do, leasing more as it runs out, so a cost of 50 is about 50 lock-free decrements
   * and a Redis call per lease, not 50 calls. Completes with the last decision: its {@code remaining} is what is left.
   * Runs as a loop while decisions come back at once (lease, fallback), so a large cost does not nest futures deeply.
   */
  public Future<Decision> acquireMany(Policy policy, String principal, int tokens) {
    Decision last = null;
    for (int left = tokens; left > 0; left--) {
      Decision now = tryLocal(policy, principal);
      if (now == null) {
        Future<Decision> next = acquire(policy, principal);
        if (!next.isComplete()) {
          int rest = left - 1;
          return next.compose(d -> d.allowed() && rest > 0 ? acquireMany(policy, principal, rest) : Future.succeededFuture(d));
        }
        now = next.result();
      }
      last = now;
      if (!now.allowed()) break;
    }
    return last != null ? Future.succeededFuture(last) : acquire(policy, principal);
  }

  /**
   * The allocation-light common case: a token from this node's lease, or null when the caller must use
   * {@link #acquire} (lease spent or expired, Redis or the fallback needed).
   */
  public Decision tryLocal(Policy policy, String principal) {
    Key key = keys.get(policy).get(principal);
    if (key == null) return null;
    long now = System.nanoTime();
    if (now - key.lastUsedNs > 1_000_000_000L) key.lastUsedNs = now;
    return fromLease(key, now);
  }

  private Future<Decision> acquire(Policy policy, String principal, int attempt) {
    long last = lastSweepNs.get();
    if (System.nanoTime() - last > SWEEP_NS && lastSweepNs.compareAndSet(last, System.nanoTime())) sweep(System.nanoTime());
    Key key = keys.get(policy).computeIfAbsent(principal, k -> new Key(KEY_PREFIX + policy.name() + ':' + k, policy,
        decisions.get(policy)));
    long now = System.nanoTime();
    if (now - key.lastUsedNs > 1_000_000_000L) key.lastUsedNs = now; // for the sweep; rarely written, racy is fine
    Decision leased = fromLease(key, now);
    if (leased != null) return Future.succeededFuture(leased);
    Future<Boolean> wait;
    synchronized (key) {
      leased = fromLease(key, now);
      if (leased != null) return Future.succeededFuture(leased);
      if (breaker.isOpen()) return Future.succeededFuture(fallback(key, now));
      if (attempt >= MAX_ATTEMPTS) {
        // lost the race for freshly leased tokens again and again: the bucket is nearly empty; refuse rather than wait on
        localDecisions.increment();
        return Future.succeededFuture(count(key, Decision.reject(policy, (long) Math.ceil(policy.msPerToken()))));
      }
      if (now < key.emptyUntilNs) {
        localDecisions.increment();
        return Future.succeededFuture(count(key, Decision.reject(policy, (key.emptyUntilNs - now + 999_999) / 1_000_000)));
      }
      wait = key.inflight != null ? key.inflight : startLease(key, now);
      key.waiting++;
    }
    // Retry on the caller's context: the lease call may complete on another event loop.
    Context context = Vertx.currentContext();
    Promise<Decision> promise = Promise.promise();
    wait.onComplete(done -> {
      boolean answered = done.result();
      if (context == null || context == Vertx.currentContext()) retry(key, policy, principal, attempt, answered, promise);
      else context.runOnContext(v -> retry(key, policy, principal, attempt, answered, promise));
    });
    return promise.future();
  }

  /**
   * Starts a lease call and marks it in flight, unless it has already finished: when Redis answered on another
   * event loop before {@link #lease} attached its callback, that callback ran right here (the monitor is
   * reentrant) and cleared {@code inflight} already (the breaker's completion hops through the caller's context, which
   * makes this rare, but nothing guarantees it). Marking the finished call in flight would leave it there for
   * good: every later request of the key would wait on it, retry at once and be refused after {@link #MAX_ATTEMPTS}.
   */
  private Future<Boolean> startLease(Key key, long now) {
    Future<Boolean> call = lease(key, now);
    if (!call.isComplete()) key.inflight = call;
    return call;
  }

  /** The common case, without a lock: one token of the node's lease, or null when the lease is spent or expired. */
  private Decision fromLease(Key key, long now) {
    if (now - key.leaseExpiresNs >= 0 || key.lease.get() <= 0) return null;
    int left = key.lease.decrementAndGet();
    if (left < 0) return null;
    localDecisions.increment();
    return count(key, Decision.allow(key.policy, key.remoteRemaining + left));
  }

  /** After the lease call a request waited on: try the lease again, or the fallback when Redis did not answer. */
  private void retry(Key key, Policy policy, String principal, int attempt, boolean answered, Promise<Decision> promise) {
    synchronized (key) {
      key.waiting--;
      if (!answered) {
        promise.complete(fallback(key, System.nanoTime()));
        return;
      }
    }
    acquire(policy, principal, attempt + 1).onComplete(promise);
  }

  /**
   * One Redis call: refills the bucket and moves up to a lease of tokens to this node. Never fails: completes with
   * whether Redis answered (refused by the breaker, failed or timed out: false). The lease
   * asked for is {@code leaseSize}, more for a hot key (doubling while leases last under {@link #HOT_LEASE_MS})
   * and at least the requests already waiting; Redis caps it at {@code tokens / (2 × nodes)}.
   */
  private Future<Boolean> lease(Key key, long now) {
    redisCalls.increment();
    Policy p = key.policy;
    int base = config.leaseSize();
    if (key.want < base) key.want = base;
    else if (key.leaseGrantedNs != 0 && now - key.leaseGrantedNs < HOT_LEASE_MS * 1_000_000L) {
      key.want = Math.min(base * MAX_LEASE_FACTOR, key.want * 2);
    } else key.want = base;
    int want = Math.max(key.want, Math.min(key.waiting + 1, base * MAX_LEASE_FACTOR));
    Future<Response> call = breaker.call(() -> evalsha(key, p, want).recover(failure -> {
      if (LuaScript.isNoScript(failure)) {
        redisCalls.increment();
        return redis.send(args(Request.cmd(Command.EVAL).arg(SCRIPT), key, p, want));
      }
      return Future.failedFuture(failure);
    }));
    return call.transform(result -> {
      long done = System.nanoTime();
      synchronized (key) {
        key.inflight = null;
        if (result.succeeded()) {
          Response r = result.result();
          int granted = r.get(0).toInteger();
          key.leaseGrantedNs = granted > 0 ? done : 0;
          key.remoteRemaining = r.get(1).toLong();
          key.lease.set(granted); // unspent tokens of an expired lease are dropped here
          key.leaseExpiresNs = done + config.leaseTtlMs() * 1_000_000L;
          key.emptyUntilNs = granted == 0 ? now + r.get(2).toLong() * 1_000_000L : 0;
          key.fallback = null;
        }
      }
      return Future.succeededFuture(result.succeeded());
    });
  }

  private Future<Response> evalsha(Key key, Policy p, int want) {
    return redis.send(args(Request.cmd(Command.EVALSHA).arg(SHA), key, p, want));
  }

  private Request args(Request request, Key key, Policy p, int want) {
    return request.arg(1).arg(key.redisKey).arg(p.quota()).arg(Double.toString(p.perMs()))
        .arg(want).arg(config.nodes());
  }

  private Decision fallback(Key key, long now) {
    fallbacks.increment();
    Policy share = key.policy.share(config.nodes());
    if (key.fallback == null) key.fallback = new LocalBucket(share, now);
    boolean ok = key.fallback.tryTake(now);
    Decision d = ok ? Decision.allow(key.policy, key.fallback.remaining(now))
        : Decision.reject(key.policy, key.fallback.msUntilToken(now));
    return count(key, d);
  }

  private Decision count(Key key, Decision d) {
    (d.allowed() ? allowed : rejected).increment();
    key.decisions[d.allowed() ? 0 : 1].increment();
    return d;
  }

  /** The configured policies (reads, writes, auth, login). */
  public List<Policy> policies() {
    return List.copyOf(decisions.keySet());
  }

  /** Requests {@code policy} let through on this node since start; 0 for a policy not configured here. */
  public long allowed(Policy policy) {
    LongAdder[] perPolicy = decisions.get(policy);
    return perPolicy == null ? 0 : perPolicy[0].sum();
  }

  /** Requests {@code policy} refused (429) on this node since start. */
  public long limited(Policy policy) {
    LongAdder[] perPolicy = decisions.get(policy);
    return perPolicy == null ? 0 : perPolicy[1].sum();
  }

  /** Whether Redis is being skipped (breaker not closed): each node enforces its share of the quotas alone. */
  public boolean degraded() {
    return breaker.state() != CircuitBreakerState.CLOSED;
  }

  /** The circuit breaker of the limiter's Redis calls. */
  public Breaker breaker() {
    return breaker;
  }

  /** Forgets keys idle for longer than their window (their bucket would be full again) and with no call in flight. */
  void sweep(long nowNs) {
    for (ConcurrentHashMap<String, Key> byPrincipal : keys.values()) {
      byPrincipal.forEach((id, key) -> {
        synchronized (key) {
          if (key.inflight == null && nowNs - key.lastUsedNs > key.policy.windowSeconds() * 1_000_000_000L
              + config.leaseTtlMs() * 1_000_000L) {
            byPrincipal.remove(id, key);
          }
        }
      });
    }
  }

  public JsonObject status() {
    JsonObject breakerStatus = breaker.status();
    return new JsonObject()
        .put("enabled", config.enabled())
        .put("redis", degraded() ? "unavailable" : "available")
        .put("nodes", config.nodes())
        .put("leaseSize", config.leaseSize())
        .put("keys", keys.values().stream().mapToInt(Map::size).sum())
        .put("breaker", breakerStatus)
        .put("counters", new JsonObject()
            .put("allowed", allowed.sum())
            .put("rejected", rejected.sum())
            .put("redisCalls", redisCalls.sum())
            .put("redisFailures", breakerStatus.getLong("failures"))
            .put("localDecisions", localDecisions.sum())
            .put("fallbacks", fallbacks.sum()));
  }

  public Future<Void> close() {
    return redis == null ? Future.succeededFuture() : redis.close();
  }
}
