package surge.tags;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import surge.web.AuthHandler;
import surge.web.Respond;

/** {@code GET /tags}: every tag in use, most used first (ties alphabetical), counted over all shards. */
public final class TagsRoutes {
  private final TagsService tags;

  public TagsRoutes(TagsService tags) {
    this.tags = tags;
  }

  /** Optional auth only for read-your-writes: a signed-in author sees the tags of the article they just wrote. */
  public void mount(Router api, Handler<RoutingContext> optionalAuth) {
    api.get("/tags").handler(optionalAuth).handler(Respond.ok(ctx -> tags.list(AuthHandler.viewer(ctx))));
  }
}
