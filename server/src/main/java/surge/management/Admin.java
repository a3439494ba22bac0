package surge.management;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.core.ApiError;
import surge.server.HttpScaling;

/**
 * The management server's operator endpoints, behind {@code Authorization: Bearer <management.token>}:
 * {@code GET /admin/http/instances} → {@code {"instances": n}}; {@code PUT /admin/http/instances} with
 * {@code {"instances": n}} (1–256) deploys or undeploys HTTP verticle instances until n serve. An undeployed instance
 * stops the way a node does: it finishes its requests in flight and closes its connections after their current
 * response; the port stays open on the others, so clients reconnect at once.
 */
final class Admin {
  private static final Logger log = LoggerFactory.getLogger(Admin.class);
  static final int MAX_INSTANCES = 256;
  private final byte[] token;
  private final HttpScaling scaling;

  Admin(String token, HttpScaling scaling) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.scaling = scaling;
  }

  void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String presented = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
    // Constant time: the comparison must not tell how much of a guess was right.
    if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
      ctx.fail(ApiError.of(401, "token", "is missing or wrong"));
      return;
    }
    ctx.next();
  }

  void instances(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("instances", scaling.instances()));
  }

  void scale(RoutingContext ctx) {
    Integer wanted;
    try {
      JsonObject body = ctx.body().asJsonObject();
      wanted = body == null ? null : body.getInteger("instances");
    } catch (DecodeException | ClassCastException e) {
      wanted = null;
    }
    if (wanted == null || wanted < 1 || wanted > MAX_INSTANCES) {
      ctx.fail(ApiError.invalid("instances", "must be a whole number from 1 to " + MAX_INSTANCES));
      return;
    }
    int target = wanted;
    scaling.scaleTo(target).onComplete(done -> {
      if (done.succeeded()) {
        json(ctx, 200, new JsonObject().put("instances", done.result()));
        return;
      }
      log.warn("changing the HTTP verticle instances to {} failed: {}", target, done.cause().toString());
      ctx.fail(ApiError.unavailable("instances", 1));
    });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(body.encode());
  }
}
