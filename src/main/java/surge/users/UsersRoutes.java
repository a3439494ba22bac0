package surge.users;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import surge.http.AuthHandler;
import surge.http.Form;
import surge.http.Respond;

/** {@code /users}, {@code /users/login}, {@code /user}. */
public final class UsersRoutes {
  private final UsersService users;

  public UsersRoutes(UsersService users) {
    this.users = users;
  }

  public void mount(Router api, Handler<RoutingContext> requiredAuth) {
    api.post("/users").handler(Respond.created(this::register));
    api.post("/users/login").handler(Respond.ok(this::login));
    api.get("/user").handler(requiredAuth).handler(Respond.ok(this::current));
    api.put("/user").handler(requiredAuth).handler(Respond.ok(this::update));
  }

  private Future<JsonObject> register(RoutingContext ctx) {
    Form form = Form.of(ctx, "user");
    String username = form.required("username", UserInput.MAX_USERNAME);
    String email = form.required("email", UserInput.MAX_EMAIL);
    String password = form.required("password", UserInput.MAX_PASSWORD);
    UserInput.checkUsername(form, username);
    UserInput.checkEmail(form, email);
    UserInput.checkPassword(form, password);
    form.done();
    return users.register(username, email, password).map(s -> s.user().toJson(s.token()));
  }

  private Future<JsonObject> login(RoutingContext ctx) {
    Form form = Form.of(ctx, "user");
    String email = form.required("email", UserInput.MAX_EMAIL);
    String password = form.required("password", 1024);
    form.done();
    return users.login(email, password).map(s -> s.user().toJson(s.token()));
  }

  private Future<JsonObject> current(RoutingContext ctx) {
    return users.current(AuthHandler.userId(ctx)).map(u -> u.toJson(AuthHandler.token(ctx)));
  }

  private Future<JsonObject> update(RoutingContext ctx) {
    Form form = Form.of(ctx, "user");
    String username = form.replacement("username", UserInput.MAX_USERNAME);
    String email = form.replacement("email", UserInput.MAX_EMAIL);
    String password = form.replacement("password", UserInput.MAX_PASSWORD);
    Form.Patch bio = form.optional("bio", UserInput.MAX_BIO);
    Form.Patch image = form.optional("image", UserInput.MAX_IMAGE);
    UserInput.checkUsername(form, username);
    UserInput.checkEmail(form, email);
    UserInput.checkPassword(form, password);
    form.done();
    var change = new UsersService.UserChange(username, email, password,
        bio.present(), bio.valueOrNullIfBlank(), image.present(), image.valueOrNullIfBlank());
    return users.update(AuthHandler.userId(ctx), change).map(u -> u.toJson(AuthHandler.token(ctx)));
  }
}
