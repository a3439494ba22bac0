package surge.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's view of cluster membership, one per node (built in {@code Services.create}), and the way node-level
 * components stay connected across membership changes.
 *
 * <p><b>Why.</b> A node cut off from the others (paused past {@code cluster.failureTimeoutMs}, or a network
 * split) forms a cluster of its own until Hazelcast's split-brain merge joins it back (within
 * {@code cluster.mergeDelayMs}). Meanwhile it hears nothing published on the other side: cache invalidations and
 * live events are lost, not queued. And a node whose event-bus registrations (Vert.x's {@code __vertx.subs} multimap)
 * went missing is silently skipped by every publisher.
 *
 * <p><b>What it does.</b>
 * <ul>
 *   <li>Logs every member added or removed (WARN for removals) and every split-brain merge of this node, with
 *       member addresses, Hazelcast member UUIDs and Vert.x node ids;</li>
 *   <li>calls the {@link #onChange} hooks after each change seen here (member added, member removed, this node merged
 *       back, this JVM was frozen for longer than the failure timeout, one of its registrations had to be made again):
 *       whatever this node caches on the strength of hearing other nodes' messages is suspect, since the messages of
 *       the other side of a split were never delivered;</li>
 *   <li>keeps the consumers made through {@link #consumer} registered: after each change, and every
 *       {@code cluster.mergeDelayMs}, it looks up this node's registration of each address in the cluster and
 *       registers the consumer again if it is gone. vertx-hazelcast 5.0 republishes a node's own registrations after
 *       a member removal and after a merge itself; this is the safety net that does not depend on it.</li>
 * </ul>
 * Hazelcast calls its listeners on its own threads; every reaction hops onto this class's event-loop context first,
 * and the registration lookup runs on a Vert.x worker (the cluster manager's), never blocking an event loop.
 *
 * <p>Standalone nodes get an inert instance: {@link #consumer} registers once, no hook is ever called.
 */
public final class ClusterMembership {
  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
  /** vertx-hazelcast's member attribute holding the Vert.x node id (stable across merges, unlike the member UUID). */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  /** After a change, vertx-hazelcast republishes its own registrations on a worker: look after it has. */
  private static final long AUDIT_DELAY_MS = 1000;
  /** How often the pause detector ticks; a tick late by more than the failure timeout means this JVM was frozen. */
  private static final long TICK_MS = 500;

  private final Vertx vertx;
  /** Where every reaction runs: Hazelcast's listener threads hop onto it before touching Vert.x or Surge state. */
  private final Context context;
  private final ClusterManager manager;
  private final HazelcastInstance hazelcast;
  private final long auditEveryMs;
  private final long failureTimeoutMs;
  private final List<Consumer<String>> hooks = new CopyOnWriteArrayList<>();
  private final List<Resubscribing<?>> consumers = new CopyOnWriteArrayList<>();

  private final LongAdder added = new LongAdder();
  private final LongAdder removed = new LongAdder();
  private final LongAdder merges = new LongAdder();
  private final LongAdder pauses = new LongAdder();
  private final LongAdder resubscriptions = new LongAdder();
  private volatile String lastChange = "none";
  private volatile long lastChangeMs;
  private volatile UUID memberUuid;
  /** Between MERGING and MERGED the member's data is being reset and merged: a lookup then proves nothing. */
  private volatile boolean merging;
  private volatile long lastTickNanos = System.nanoTime();

  private UUID membershipListener;
  private UUID lifecycleListener;
  private volatile long auditTimer = -1;
  private volatile long pauseTimer = -1;

  private ClusterMembership(Vertx vertx, long auditEveryMs, long failureTimeoutMs) {
    this.vertx = vertx;
    this.context = ((VertxInternal) vertx).createEventLoopContext();
    this.manager = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager() : null;
    this.hazelcast = manager instanceof HazelcastClusterManager hz ? hz.getHazelcastInstance() : null;
    this.auditEveryMs = auditEveryMs;
    this.failureTimeoutMs = failureTimeoutMs;
  }

  /**
   * Starts watching (clustered Vert.x) or an inert instance (standalone), for {@code cluster.mergeDelayMs} (the
   * registration check period) and {@code cluster.failureTimeoutMs} (a pause longer than it means the others
   * dropped this node).
   */
  public static ClusterMembership watch(Vertx vertx, ClusterConfig cluster) {
    ClusterMembership membership = new ClusterMembership(vertx, cluster.mergeDelayMs(), cluster.failureTimeoutMs());
    if (membership.hazelcast != null) membership.listen();
    return membership;
  }

  private void listen() {
    memberUuid = hazelcast.getCluster().getLocalMember().getUuid();
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        context.runOnContext(v -> memberJoined(event.getMember()));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        context.runOnContext(v -> memberLeft(event.getMember()));
      }
    });
    lifecycleListener = hazelcast.getLifecycleService().addLifecycleListener(
        event -> context.runOnContext(v -> lifecycle(event.getState())));
    context.runOnContext(v -> {
      auditTimer = vertx.setPeriodic(auditEveryMs, auditEveryMs, t -> audit("periodic check"));
      lastTickNanos = System.nanoTime();
      pauseTimer = vertx.setPeriodic(TICK_MS, t -> tick());
    });
    log.info("cluster membership: this node {} (member {}), members {}", nodeId(), memberUuid, describe(members()));
  }

  /**
   * {@code hook} is called on this class's event-loop context after every membership change this node sees, with a
   * short reason: messages published while the cluster was split may never have reached this node. Hooks must not block.
   */
  public void onChange(Consumer<String> hook) {
    hooks.add(hook);
  }

  /**
   * An event-bus consumer of {@code address} that stays registered in the cluster: if this node's registration
   * disappears (checked after every membership change and periodically), the consumer is registered again with the
   * same handler. The handler runs on this class's event-loop context; it must be thread-safe and must not block.
   */
  public <T> Subscription consumer(String address, Handler<Message<T>> handler) {
    Resubscribing<T> consumer = new Resubscribing<>(address, handler);
    consumers.add(consumer);
    return consumer;
  }

  /** A consumer made by {@link #consumer}. */
  public interface Subscription {
    /** Completes once the first registration reached the cluster. */
    Future<Void> ready();

    Future<Void> unregister();
  }

  private final class Resubscribing<T> implements Subscription {
    private final String address;
    private final Handler<Message<T>> handler;
    private final Promise<Void> ready = Promise.promise();
    private volatile io.vertx.core.eventbus.MessageConsumer<T> current;
    private volatile boolean closed;

    Resubscribing(String address, Handler<Message<T>> handler) {
      this.address = address;
      this.handler = handler;
      context.runOnContext(v -> register().onComplete(ready));
    }

    /** Registers on this class's context, so the handler always runs there. */
    private Future<Void> register() {
      current = vertx.eventBus().consumer(address, handler);
      return current.completion();
    }

    /** Registers anew before dropping the lost registration: a duplicate delivery is better than a gap. */
    void reregister() {
      if (closed) return;
      var lost = current;
      register()
          .compose(done -> lost.unregister())
          .onSuccess(done -> {
          log.warn("event-bus consumer of {} was missing from the cluster; registered again", address);
          changed("registration of " + address + " was lost"); // what was published meanwhile never arrived
        })
          .onFailure(failure -> log.warn("registering the consumer of {} again failed: {}", address, failure.toString()));
    }

    @Override
    public Future<Void> ready() {
      return ready.future();
    }

    @Override
    public Future<Void> unregister() {
      closed = true;
      consumers.remove(this);
      return ready.future().transform(r -> current == null ? Future.<Void>succeededFuture() : current.unregister());
    }
  }

  /**
   * A frozen JVM (SIGSTOP, a long GC pause, a starved VM) hears nothing, and the others drop it after the failure
   * timeout; Hazelcast notices only a few hundred ms after it resumes. The first late tick tells at once, before the
   * node serves much from what it cached before the pause.
   */
  private void tick() {
    long now = System.nanoTime();
    long gapMs = (now - lastTickNanos) / 1_000_000 - TICK_MS;
    lastTickNanos = now;
    if (gapMs <= failureTimeoutMs) return;
    pauses.increment();
    log.warn("this node was frozen for {} ms, longer than the failure timeout ({} ms): the others have likely dropped it",
        gapMs, failureTimeoutMs);
    changed("this node was frozen for " + gapMs + " ms");
  }

  private void memberJoined(Member member) {
    added.increment();
    log.info("cluster member joined: {}; members now {}", describe(member), describe(members()));
    changed("member " + member.getAddress() + " joined");
  }

  private void memberLeft(Member member) {
    removed.increment();
    log.warn("cluster member left or was declared dead: {}; members now {}", describe(member), describe(members()));
    changed("member " + member.getAddress() + " left");
  }

  private void lifecycle(LifecycleEvent.LifecycleState state) {
    switch (state) {
      case MERGING -> {
        merging = true;
        log.warn("this node was split off from the cluster and is merging back into it");
      }
      case MERGE_FAILED -> {
        merging = false;
        log.warn("this node could not merge back into the cluster; Hazelcast tries again later");
      }
      case MERGED -> merged();
      default -> { }
    }
  }

  private void merged() {
    merging = false;
    merges.increment();
    UUID before = memberUuid;
    memberUuid = hazelcast.getCluster().getLocalMember().getUuid();
    log.warn("this node merged back into the cluster: Vert.x node id {}, Hazelcast member {} (was {}); members now {}",
        nodeId(), memberUuid, before, describe(members()));
    changed("merged back into the cluster");
  }

  private void changed(String reason) {
    lastChange = reason;
    lastChangeMs = System.currentTimeMillis();
    for (Consumer<String> hook : hooks) {
      try {
        hook.accept(reason);
      } catch (RuntimeException e) {
        log.warn("cluster membership hook failed: {}", e.toString(), e);
      }
    }
    vertx.setTimer(AUDIT_DELAY_MS, t -> audit(reason));
  }

  /** Re-registers every consumer whose registration by this node is missing from the cluster. */
  private void audit(String reason) {
    if (manager == null || !manager.isActive() || merging) return;
    for (Resubscribing<?> consumer : consumers) {
      if (!consumer.ready.future().succeeded()) continue;
      registeredNodes(consumer.address).onSuccess(nodes -> {
        if (nodes == null || nodes.contains(manager.getNodeId())) return;
        resubscriptions.increment();
        log.warn("this node's registration of {} is missing from the cluster ({}; registered: nodes {}); registering it again",
            consumer.address, reason, nodes);
        context.runOnContext(v -> consumer.reregister());
      });
    }
  }

  /** The nodes holding a cluster-wide registration of {@code address}; null when the lookup failed (e.g. leaving). */
  private Future<List<String>> registeredNodes(String address) {
    Promise<List<RegistrationInfo>> found = Promise.promise();
    manager.getRegistrations(address, found);
    return found.future()
        .map(list -> list.stream().filter(info -> !info.localOnly()).map(RegistrationInfo::nodeId).toList())
        .otherwise(failure -> null); // cannot tell: leave things as they are
  }

  /** This node's Vert.x node id, or null when standalone. */
  public String nodeId() {
    return manager == null ? null : manager.getNodeId();
  }

  private List<Member> members() {
    return List.copyOf(hazelcast.getCluster().getMembers());
  }

  private static String describe(Member member) {
    return member.getAddress() + " (member " + member.getUuid() + ", node " + member.getAttribute(NODE_ID_ATTRIBUTE)
        + (member.localMember() ? ", this node)" : ")");
  }

  private static String describe(List<Member> members) {
    return members.stream().map(m -> m.getAddress().toString()).toList().toString();
  }

  /** The operator view ({@code GET /health/cluster}). */
  public JsonObject status() {
    JsonObject out = new JsonObject().put("clustered", hazelcast != null);
    if (hazelcast == null) return out;
    JsonArray list = new JsonArray();
    for (Member m : members()) {
      list.add(new JsonObject().put("address", m.getAddress().getHost() + ":" + m.getAddress().getPort())
          .put("memberUuid", Objects.toString(m.getUuid())).put("nodeId", m.getAttribute(NODE_ID_ATTRIBUTE))
          .put("local", m.localMember()));
    }
    return out.put("nodeId", nodeId()).put("memberUuid", Objects.toString(memberUuid))
        .put("state", hazelcast.getLifecycleService().isRunning() ? "running" : "stopped")
        .put("members", list).put("membersAdded", added.sum()).put("membersRemoved", removed.sum())
        .put("merges", merges.sum()).put("pauses", pauses.sum()).put("resubscriptions", resubscriptions.sum())
        .put("lastChange", lastChange).put("lastChangeMs", lastChangeMs);
  }

  /** Stops listening; the consumers are their owners' to unregister. */
  public Future<Void> close() {
    if (hazelcast == null) return Future.succeededFuture();
    if (auditTimer >= 0) vertx.cancelTimer(auditTimer);
    if (pauseTimer >= 0) vertx.cancelTimer(pauseTimer);
    try {
      hazelcast.getCluster().removeMembershipListener(membershipListener);
      hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
    } catch (RuntimeException e) {
      // Hazelcast already shut down: nothing is listening any more
    }
    return Future.succeededFuture();
  }
}
