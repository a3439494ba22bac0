package surge.cache;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads writers' marks ({@code w:<userId>}), which every signed-in read asks for once: the lookups made on one event
 * loop in one turn (the requests of one batch of socket reads) go to Redis as one {@code MGET}, so a busy node pays
 * one round trip per turn rather than one per request.
 */
final class WriterMarks {
  private final CacheRedis redis;
  private final String prefix;
  /** Each event loop's lookups of its current turn; its flush is already queued on that loop. */
  private final ThreadLocal<Batch> pending = new ThreadLocal<>();

  private static final class Batch {
    final List<String> keys = new ArrayList<>();
    final List<Promise<String>> waiting = new ArrayList<>();
  }

  WriterMarks(CacheRedis redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  String key(long user) {
    return prefix + user;
  }

  /** The user's mark, or null when they have none; fails when Redis did not answer. */
  Future<String> of(long user) {
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) return one(user);
    Batch batch = pending.get();
    if (batch == null) {
      Batch fresh = new Batch();
      pending.set(fresh);
      context.runOnContext(v -> flush(fresh));
      batch = fresh;
    }
    Promise<String> answer = Promise.promise();
    batch.keys.add(key(user));
    batch.waiting.add(answer);
    return answer.future();
  }

  private Future<String> one(long user) {
    return redis.send(Request.cmd(Command.GET).arg(key(user))).map(mark -> mark == null ? null : mark.toString());
  }

  private void flush(Batch batch) {
    if (pending.get() == batch) pending.remove();
    Request mget = Request.cmd(Command.MGET);
    for (String key : batch.keys) mget.arg(key);
    redis.send(mget).onComplete(result -> {
      for (int i = 0; i < batch.waiting.size(); i++) {
        if (result.failed()) {
          batch.waiting.get(i).fail(result.cause());
          continue;
        }
        var marks = result.result();
        var mark = marks == null ? null : marks.get(i);
        batch.waiting.get(i).complete(mark == null ? null : mark.toString());
      }
    });
  }
}
