package surge.db;

import java.time.Duration;
import surge.support.Eventually;
import surge.support.TestNode;

/** Reads a test node's replica counters and waits for its replicas, for the replica tests. */
final class ReplicaStats {
  private ReplicaStats() {}

  /** Sums of one node's counters over its physical shards at one moment. */
  record Snapshot(long replicaReads, long primaryReads, long markedOnReplica, long markedOnPrimary, long unknownMark,
                  long fallbacks) {
    Snapshot minus(Snapshot before) {
      return new Snapshot(replicaReads - before.replicaReads, primaryReads - before.primaryReads,
          markedOnReplica - before.markedOnReplica, markedOnPrimary - before.markedOnPrimary,
          unknownMark - before.unknownMark, fallbacks - before.fallbacks);
    }

    double markedReplicaShare() {
      long all = markedOnReplica + markedOnPrimary;
      return all == 0 ? Double.NaN : (double) markedOnReplica / all;
    }
  }

  static Snapshot of(TestNode.Started node) {
    long[] sums = new long[6];
    for (PhysicalShard shard : node.node().services().shards().all()) {
      PhysicalShard.Counters c = shard.counters();
      sums[0] += c.replicaReads.sum();
      sums[1] += c.primaryReads.sum();
      sums[2] += c.markedOnReplica.sum();
      sums[3] += c.markedOnPrimary.sum();
      sums[4] += c.unknownMark.sum();
      sums[5] += c.fallbacks.sum();
    }
    return new Snapshot(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5]);
  }

  static boolean allReplicasHealthy(TestNode.Started node) {
    for (PhysicalShard shard : node.node().services().shards().all()) {
      if (shard.replicas().isEmpty()) return false;
      for (Replica replica : shard.replicas()) if (!replica.healthy()) return false;
    }
    return true;
  }

  /** Fails unless every replica of the node is in rotation within {@code timeout}. */
  static void awaitHealthy(TestNode.Started node, Duration timeout) {
    Eventually.value("every replica in rotation", timeout, () -> node.node().services().shards().status(),
        status -> allReplicasHealthy(node));
  }

}
