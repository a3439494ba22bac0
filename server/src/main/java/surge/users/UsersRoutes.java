package surge.users;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import surge.web.AuthHandler;
import surge.web.Form;
import surge.web.Respond;

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
    Account account = registration(Form.of(ctx, "user"));
    return users.register(account.username(), account.email(), account.password()).map(s -> s.user().toJson(s.token()));
  }

  private Future<JsonObject> login(RoutingContext ctx) {
    Account login = credentials(Form.of(ctx, "user"));
    return users.login(login.email(), login.password()).map(s -> s.user().toJson(s.token()));
  }

  /** What sign-up and login read: {@code username} is null for a login. */
  public record Account(String username, String email, String password) {}

  /** A sign-up's fields, checked (422 with every bad field); REST and GraphQL both read them here. */
  public static Account registration(Form form) {
    String username = form.required("username", UserInput.MAX_USERNAME);
    String email = form.required("email", UserInput.MAX_EMAIL);
    String password = form.required("password", UserInput.MAX_PASSWORD);
    UserInput.checkUsername(form, username);
    UserInput.checkEmail(form, email);
    UserInput.checkPassword(form, password);
    form.done();
    return new Account(username, email, password);
  }

  /** A login's fields, checked. */
  public static Account credentials(Form form) {
    String email = form.required("email", UserInput.MAX_EMAIL);
    String password = form.required("password", 1024);
    form.done();
    return new Account(null, email, password);
  }

  private Future<JsonObject> current(RoutingContext ctx) {
    return users.current(AuthHandler.userId(ctx)).map(u -> u.toJson(AuthHandler.token(ctx)));
  }

  private Future<JsonObject> update(RoutingContext ctx) {
    return users.update(AuthHandler.userId(ctx), change(Form.of(ctx, "user"))).map(u -> u.toJson(AuthHandler.token(ctx)));
  }

  /** An account change, checked; absent fields are kept, {@code bio} and {@code image} null or blank are cleared. */
  public static UsersService.UserChange change(Form form) {
    String username = form.replacement("username", UserInput.MAX_USERNAME);
    String email = form.replacement("email", UserInput.MAX_EMAIL);
    String password = form.replacement("password", UserInput.MAX_PASSWORD);
    Form.Patch bio = form.optional("bio", UserInput.MAX_BIO);
    Form.Patch image = form.optional("image", UserInput.MAX_IMAGE);
    UserInput.checkUsername(form, username);
    UserInput.checkEmail(form, email);
    UserInput.checkPassword(form, password);
    form.done();
    return new UsersService.UserChange(username, email, password,
        bio.present(), bio.valueOrNullIfBlank(), image.present(), image.valueOrNullIfBlank());
  }
}
