package surge.server;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import surge.core.ApiError;
import surge.db.Shards;
import surge.web.Respond;

/**
 * The probes for load balancers and Kubernetes: {@code /health/live} (the process answers) and {@code /health/ready}
 * (the database answers too, and the node is not shutting down). The operator views are {@link OperatorViews}.
 */
final class Health {
  private static final JsonObject UP = new JsonObject().put("status", "UP");
  private final Shards db;
  private final Lifecycle lifecycle;

  Health(Shards db, Lifecycle lifecycle) {
    this.db = db;
    this.lifecycle = lifecycle;
  }

  void mount(Router root) {
    root.get("/health/live").handler(Respond.ok(ctx -> Future.succeededFuture(UP)));
    root.get("/health/ready").handler(Respond.ok(ctx -> lifecycle.draining()
        ? Future.failedFuture(ApiError.unavailable("node", 5)) // shutting down: send traffic elsewhere
        : db.ping()
            .timeout(2, TimeUnit.SECONDS)
            .map(ok -> UP)
            .recover(failure -> Future.failedFuture(ApiError.unavailable("database", 1)))));
  }
}
