package surge.comments;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import surge.web.AuthHandler;
import surge.web.Form;
import surge.web.Respond;

/** {@code /articles/:slug/comments}. */
public final class CommentsRoutes {
  static final int MAX_BODY = 64 * 1024;
  private final CommentsService comments;

  public CommentsRoutes(CommentsService comments) {
    this.comments = comments;
  }

  public void mount(Router api, Handler<RoutingContext> optionalAuth, Handler<RoutingContext> requiredAuth) {
    api.get("/articles/:slug/comments").handler(optionalAuth).handler(Respond.ok(this::list));
    api.post("/articles/:slug/comments").handler(requiredAuth).handler(Respond.created(this::add));
    api.delete("/articles/:slug/comments/:id").handler(requiredAuth).handler(Respond.noContent(this::delete));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    return comments.list(ctx.pathParam("slug"), AuthHandler.viewer(ctx));
  }

  private Future<JsonObject> add(RoutingContext ctx) {
    return comments.add(ctx.pathParam("slug"), AuthHandler.viewer(ctx), body(Form.of(ctx, "comment")));
  }

  /** A comment's body, checked; REST and GraphQL both read it here. */
  public static String body(Form form) {
    String body = form.required("body", MAX_BODY);
    form.done();
    return body;
  }

  private Future<Void> delete(RoutingContext ctx) {
    return comments.delete(ctx.pathParam("slug"), ctx.pathParam("id"), AuthHandler.viewer(ctx));
  }
}
