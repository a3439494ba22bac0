package surge.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import surge.db.Shards;

/** {@code /health/live} (the process answers) and {@code /health/ready} (the database answers too). */
final class Health {
  private static final JsonObject UP = new JsonObject().put("status", "UP");
  private final Shards db;

  Health(Shards db) {
    this.db = db;
  }

  void mount(Router root) {
    root.get("/health/live").handler(Respond.ok(ctx -> Future.succeededFuture(UP)));
    root.get("/health/ready").handler(Respond.ok(ctx -> db.ping()
        .timeout(2, TimeUnit.SECONDS)
        .map(ok -> UP)
        .recover(failure -> Future.failedFuture(ApiError.unavailable("database", 1)))));
  }
}
