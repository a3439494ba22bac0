package surge.profiles;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import surge.web.AuthHandler;
import surge.web.Respond;

/** {@code /profiles/:username} and following. */
public final class ProfilesRoutes {
  private final ProfilesService profiles;

  public ProfilesRoutes(ProfilesService profiles) {
    this.profiles = profiles;
  }

  public void mount(Router api, Handler<RoutingContext> optionalAuth, Handler<RoutingContext> requiredAuth) {
    api.get("/profiles/:username").handler(optionalAuth).handler(Respond.ok(this::get));
    api.post("/profiles/:username/follow").handler(requiredAuth).handler(Respond.ok(this::follow));
    api.delete("/profiles/:username/follow").handler(requiredAuth).handler(Respond.ok(this::unfollow));
  }

  private Future<JsonObject> get(RoutingContext ctx) {
    return profiles.view(ctx.pathParam("username"), AuthHandler.viewer(ctx)).map(ProfilesRoutes::json);
  }

  private Future<JsonObject> follow(RoutingContext ctx) {
    return profiles.follow(AuthHandler.viewer(ctx), ctx.pathParam("username")).map(ProfilesRoutes::json);
  }

  private Future<JsonObject> unfollow(RoutingContext ctx) {
    return profiles.unfollow(AuthHandler.viewer(ctx), ctx.pathParam("username")).map(ProfilesRoutes::json);
  }

  private static JsonObject json(ProfilesService.ViewedProfile viewed) {
    return new JsonObject().put("profile", viewed.profile().toJson(viewed.following()));
  }
}
