package surge.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/**
 * A script runs by its digest once Redis has it, and by its source when Redis has lost it (SCRIPT FLUSH, as a
 * restarted or new Redis): the caller sees the same answer either way. Counted with Redis's own command statistics.
 */
@ExtendWith(VertxExtension.class)
class LuaScriptIT {
  static Redis redis;

  @BeforeAll
  static void start(Vertx vertx) {
    RedisConfig config = TestNode.redis(2000, 5);
    redis = Redis.createClient(vertx, "redis://" + config.host() + ":" + config.port());
  }

  @AfterAll
  static void stop() {
    if (redis != null) redis.close();
  }

  @Test
  void aLostScriptIsSentOnceAsSourceThenRunsByDigest() {
    // Unique source, so no other test's copy of it can be in Redis.
    LuaScript script = LuaScript.of("-- " + Client.unique("lua") + "\nreturn ARGV[1] .. KEYS[1]");
    redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await();
    long evals = calls("eval");
    long shas = calls("evalsha");

    assertEquals("ab", script.run(redis::send, List.of("b"), List.of("a")).await().toString());
    assertEquals(evals + 1, calls("eval"), "NOSCRIPT, then the source");
    assertEquals(shas + 1, calls("evalsha"));

    assertEquals("cd", script.run(redis::send, List.of("d"), List.of("c")).await().toString());
    assertEquals(evals + 1, calls("eval"), "loaded now: no source sent again");
    assertEquals(shas + 2, calls("evalsha"));
  }

  /** Calls of one command since Redis started ({@code INFO commandstats}), 0 before the first. */
  private static long calls(String command) {
    String stats = redis.send(Request.cmd(Command.INFO).arg("commandstats")).await().toString();
    for (String line : stats.split("\r?\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
          if (field.startsWith("calls=")) return Long.parseLong(field.substring(6));
        }
      }
    }
    return 0;
  }
}
