package surge.db;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.concurrent.TimeUnit;

/**
 * Watches every replica of every physical shard, once per node: every {@code db.replicaCheckMs} it
 * reads each primary's WAL position and each replica's replay position, and puts replicas in or
 * out of rotation (see {@link ReplicaHealth}). Reads also take a failing replica out at once; this
 * is what brings it back.
 */
public final class ReplicaMonitor extends VerticleBase {
  private final Shards shards;
  private long timer = -1;

  public ReplicaMonitor(Shards shards) {
    this.shards = shards;
  }

  /** Starts after one round of checks (or 2 s), so that a node starts with its healthy replicas in rotation. */
  @Override
  public Future<?> start() {
    return shards.checkReplicas().timeout(2, TimeUnit.SECONDS).otherwiseEmpty()
        .andThen(done -> timer = vertx.setPeriodic(shards.checkMs(), id -> shards.checkReplicas()));
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
