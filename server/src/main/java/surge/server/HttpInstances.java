package surge.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * The node's HTTP verticle instances, each its own deployment so that their number can change while the node runs
 * ({@code PUT /admin/http/instances} on the management server). They share the listening port: a new instance takes
 * its share of new connections at once; an undeployed one stops like a node does (its requests in flight finish, its
 * connections close after their current response, its streams end cleanly) while the port stays open on the others.
 * Changes run one at a time, in the order asked.
 */
public final class HttpInstances implements HttpScaling {
  private final Vertx vertx;
  private final Supplier<HttpVerticle> factory;
  private final Deque<String> deployments = new ArrayDeque<>();
  private Future<Integer> last = Future.succeededFuture(0);
  private volatile int port = -1;

  public HttpInstances(Vertx vertx, Supplier<HttpVerticle> factory) {
    this.vertx = vertx;
    this.factory = factory;
  }

  @Override
  public synchronized int instances() {
    return deployments.size();
  }

  @Override
  public synchronized Future<Integer> scaleTo(int instances) {
    last = last.otherwiseEmpty().compose(previous -> change(instances));
    return last;
  }

  /** The port the instances listen on (the chosen one for {@code http.port=0}); -1 before the first listens. */
  public int port() {
    return port;
  }

  /** Undeploys every instance (the node's stop). */
  public Future<Integer> stopAll() {
    return scaleTo(0);
  }

  private Future<Integer> change(int wanted) {
    int now = instances();
    if (wanted > now) return deploy(wanted - now).map(done -> instances());
    if (wanted < now) return undeploy(now - wanted).map(done -> instances());
    return Future.succeededFuture(now);
  }

  private Future<Void> deploy(int count) {
    List<Future<String>> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      HttpVerticle verticle = factory.get();
      started.add(vertx.deployVerticle(verticle).onSuccess(id -> {
        port = verticle.port();
        synchronized (this) {
          deployments.addLast(id);
        }
      }));
    }
    return Future.all(started).mapEmpty();
  }

  private Future<Void> undeploy(int count) {
    List<Future<Void>> stopped = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id;
      synchronized (this) {
        id = deployments.pollLast();
      }
      if (id != null) stopped.add(vertx.undeploy(id));
    }
    return Future.join(stopped).mapEmpty();
  }
}
