package surge.articles;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import surge.core.ApiError;
import surge.web.AuthHandler;
import surge.web.EncodedJson;
import surge.web.Form;
import surge.web.Paging;
import surge.web.Respond;

/** {@code /articles}, {@code /articles/feed}, {@code /articles/:slug}, favorites. */
public final class ArticlesRoutes {
  static final int MAX_TITLE = 300;
  static final int MAX_DESCRIPTION = 2000;
  static final int MAX_BODY = 1 << 20;
  static final int MAX_TAGS = 32;
  static final int MAX_TAG = 64;

  private final ArticlesService articles;
  private final int maxPageSize;

  public ArticlesRoutes(ArticlesService articles, int maxPageSize) {
    this.articles = articles;
    this.maxPageSize = maxPageSize;
  }

  public void mount(Router api, Handler<RoutingContext> optionalAuth, Handler<RoutingContext> requiredAuth) {
    api.get("/articles/feed").handler(requiredAuth).handler(Respond.ok(this::feed));
    api.get("/articles").handler(optionalAuth).handler(Respond.okEncoded(this::list));
    api.post("/articles").handler(requiredAuth).handler(Respond.created(this::create));
    api.get("/articles/:slug").handler(optionalAuth).handler(Respond.ok(this::get));
    api.put("/articles/:slug").handler(requiredAuth).handler(Respond.ok(this::update));
    api.delete("/articles/:slug").handler(requiredAuth).handler(Respond.noContent(this::delete));
    api.post("/articles/:slug/favorite").handler(requiredAuth).handler(Respond.ok(ctx -> favorite(ctx, true)));
    api.delete("/articles/:slug/favorite").handler(requiredAuth).handler(Respond.ok(ctx -> favorite(ctx, false)));
  }

  /** The flags of a signed-in viewer, in the order {@link ArticlesService.ListPage} gives them. */
  private static final List<String> FLAGS = List.of("favorited", "following");

  private Future<EncodedJson.Encoded> list(RoutingContext ctx) {
    Paging paging = Paging.from(ctx, maxPageSize);
    return articles.listPage(query(ctx, "tag"), query(ctx, "author"), query(ctx, "favorited"),
        AuthHandler.viewer(ctx), paging.limit(), paging.offset())
        .map(page -> page.overlaid() ? EncodedJson.flagged(page.json(), FLAGS, page.favorited(), page.following())
            : EncodedJson.encoded(page.json()));
  }

  private Future<JsonObject> feed(RoutingContext ctx) {
    Paging paging = Paging.from(ctx, maxPageSize);
    return articles.feed(AuthHandler.viewer(ctx), paging.limit(), paging.offset());
  }

  private Future<JsonObject> get(RoutingContext ctx) {
    return articles.get(ctx.pathParam("slug"), AuthHandler.viewer(ctx));
  }

  private Future<JsonObject> create(RoutingContext ctx) {
    return articles.create(AuthHandler.viewer(ctx), newArticle(Form.of(ctx, "article")));
  }

  private Future<JsonObject> update(RoutingContext ctx) {
    return articles.update(ctx.pathParam("slug"), AuthHandler.viewer(ctx), change(Form.of(ctx, "article")));
  }

  /** A new article's fields, checked (422 with every bad field); REST and GraphQL both read them here. */
  public static ArticlesService.ArticleInput newArticle(Form form) {
    String title = form.required("title", MAX_TITLE);
    String description = form.required("description", MAX_DESCRIPTION);
    String body = form.required("body", MAX_BODY);
    List<String> tags = form.tags("tagList", MAX_TAGS, MAX_TAG);
    form.done();
    return new ArticlesService.ArticleInput(title, description, body, tags == null ? List.of() : tags);
  }

  /** An edit's fields, checked; absent ones stay null (kept). */
  public static ArticlesService.ArticleInput change(Form form) {
    String title = form.replacement("title", MAX_TITLE);
    String description = form.replacement("description", MAX_DESCRIPTION);
    String body = form.replacement("body", MAX_BODY);
    List<String> tags = form.tags("tagList", MAX_TAGS, MAX_TAG);
    form.done();
    return new ArticlesService.ArticleInput(title, description, body, tags);
  }

  private Future<Void> delete(RoutingContext ctx) {
    return articles.delete(ctx.pathParam("slug"), AuthHandler.viewer(ctx));
  }

  private Future<JsonObject> favorite(RoutingContext ctx, boolean on) {
    return articles.favorite(ctx.pathParam("slug"), AuthHandler.viewer(ctx), on);
  }

  /** A filter value; NUL can match nothing in PostgreSQL text, so it is refused up front. */
  static String query(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isEmpty()) return null;
    if (value.indexOf('\u0000') >= 0) throw ApiError.invalid(name, "must not contain NUL characters");
    return value;
  }
}
