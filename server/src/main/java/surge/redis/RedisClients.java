package surge.redis;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import surge.resilience.Breaker;

/**
 * The one place Redis clients and their circuit breakers are made. Each user of Redis (cache, rate limiter,
 * read-your-writes marks) keeps a pool of its own, named in metrics ({@code pool_name}), so that one user's burst
 * cannot starve another's commands; all of them connect and give up alike ({@code redis.*}).
 */
public final class RedisClients {
  /** Commands queued per pool beyond its connections before callers are refused. */
  private static final int MAX_WAITING = 1024;

  private RedisClients() {}

  public static Redis client(Vertx vertx, RedisConfig redis, int poolSize, String name) {
    return Redis.createClient(vertx, new RedisOptions()
        .setConnectionString("redis://" + redis.host() + ":" + redis.port())
        .setPoolName(name)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(redis.timeoutMs()).setTcpNoDelay(true))
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(MAX_WAITING));
  }

  /**
   * A breaker named {@code name} that opens after {@code redis.breakerFailures} failed or slower-than-{@code
   * redis.timeoutMs} commands in a row, stays open {@code resetMs}, and closes again when {@code probe} (a PING)
   * answers; {@code whileOpen} says what the user does meanwhile (logged). A null client: a breaker with no probe.
   */
  public static Breaker breaker(Vertx vertx, RedisConfig redis, String name, long resetMs, String whileOpen,
                                Redis client) {
    return new Breaker(vertx, name, new Breaker.Settings(redis.breakerFailures(), redis.timeoutMs(), resetMs), whileOpen,
        client == null ? null : () -> client.send(Request.cmd(Command.PING)));
  }
}
