package surge.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import surge.articles.ArticlesRoutes;
import surge.articles.ArticlesService;
import surge.articles.Slugs;
import surge.comments.CommentsRoutes;
import surge.comments.CommentsService;
import surge.core.ApiError;
import surge.profiles.ProfilesService;
import surge.ratelimit.Limiter;
import surge.stream.StreamEvent;
import surge.tags.TagsService;
import surge.users.UsersRoutes;
import surge.users.UsersService;
import surge.web.Form;

/**
 * Every field of the schema that is not a plain property of its parent, each a call to the feature service the REST
 * route calls, with the REST route's own input checks ({@link Form}); results are the REST objects themselves, read by
 * graphql-java's property fetchers (vertx-web-graphql's {@code JsonObjectAdapter}). Resolvers return Vert.x futures
 * ({@code VertxFutureAdapter} turns them into completion stages): nothing here blocks.
 */
final class Resolvers {
  private final UsersService users;
  private final ProfilesService profiles;
  private final ArticlesService articles;
  private final CommentsService comments;
  private final TagsService tags;
  private final Limiter limiter;

  Resolvers(UsersService users, ProfilesService profiles, ArticlesService articles, CommentsService comments,
            TagsService tags, Limiter limiter) {
    this.users = users;
    this.profiles = profiles;
    this.articles = articles;
    this.comments = comments;
    this.tags = tags;
    this.limiter = limiter;
  }

  RuntimeWiring wiring() {
    return RuntimeWiring.newRuntimeWiring()
        .type("Query", t -> t
            .dataFetcher("viewer", this::viewer)
            .dataFetcher("profile", env -> profiles.view(env.getArgument("username"), Call.of(env).viewer())
                .map(Resolvers::profile))
            .dataFetcher("article", env -> articles.get(env.getArgument("slug"), Call.of(env).viewer())
                .map(body -> body.getJsonObject("article")))
            .dataFetcher("articles", this::articles)
            .dataFetcher("feed", this::feed)
            .dataFetcher("tags", env -> tags.list(Call.of(env).viewer()).map(body -> body.getJsonArray("tags")))
            .dataFetcher("comments", env -> comments.list(env.getArgument("slug"), Call.of(env).viewer())
                .map(body -> body.getJsonArray("comments"))))
        .type("Mutation", t -> t
            .dataFetcher("register", this::register)
            .dataFetcher("login", this::login)
            .dataFetcher("updateUser", this::updateUser)
            .dataFetcher("follow", env -> profiles.follow(Call.of(env).signedIn(), env.getArgument("username"))
                .map(Resolvers::profile))
            .dataFetcher("unfollow", env -> profiles.unfollow(Call.of(env).signedIn(), env.getArgument("username"))
                .map(Resolvers::profile))
            .dataFetcher("createArticle", env -> articles.create(Call.of(env).signedIn(),
                ArticlesRoutes.newArticle(input(env))).map(body -> body.getJsonObject("article")))
            .dataFetcher("updateArticle", env -> articles.update(env.getArgument("slug"), Call.of(env).signedIn(),
                ArticlesRoutes.change(input(env))).map(body -> body.getJsonObject("article")))
            .dataFetcher("deleteArticle", env -> articles.delete(env.getArgument("slug"), Call.of(env).signedIn())
                .map(true))
            .dataFetcher("favorite", env -> favorite(env, true))
            .dataFetcher("unfavorite", env -> favorite(env, false))
            .dataFetcher("addComment", this::addComment)
            .dataFetcher("deleteComment", env -> comments.delete(env.getArgument("slug"), env.getArgument("id"),
                Call.of(env).signedIn()).map(true)))
        .type("Subscription", t -> t
            .dataFetcher("articlePublished", this::articlePublished)
            .dataFetcher("commentAdded", this::commentAdded)
            .dataFetcher("followerAdded", this::followerAdded))
        .type("Article", t -> t.dataFetcher("commentsCount", Loaders::commentsCount))
        .build();
  }

  /** The signed-in user with the token they sent, or null: asking who you are is not an error when anonymous. */
  private Future<JsonObject> viewer(DataFetchingEnvironment env) {
    Call call = Call.of(env);
    if (call.viewer().isAnonymous()) return Future.succeededFuture();
    return users.current(call.viewer().user()).map(user -> user.toJson(call.token()).getJsonObject("user"));
  }

  private Future<JsonObject> articles(DataFetchingEnvironment env) {
    Page page = Page.of(env);
    Call call = Call.of(env);
    return articles.list(nonEmpty(env, "tag"), nonEmpty(env, "author"), nonEmpty(env, "favoritedBy"), call.viewer(),
        page.first(), page.offset()).map(page::connection);
  }

  private Future<JsonObject> feed(DataFetchingEnvironment env) {
    Page page = Page.of(env);
    return articles.feed(Call.of(env).signedIn(), page.first(), page.offset()).map(page::connection);
  }

  private Future<JsonObject> register(DataFetchingEnvironment env) {
    UsersRoutes.Account account = UsersRoutes.registration(input(env));
    return users.register(account.username(), account.email(), account.password())
        .map(session -> session.user().toJson(session.token()).getJsonObject("user"));
  }

  /**
   * The {@code login} policy per account e-mail applies here as on {@code POST /users/login} (the {@code auth} policy
   * per client address was taken with the operation's cost), so GraphQL is no way around it.
   */
  private Future<JsonObject> login(DataFetchingEnvironment env) {
    UsersRoutes.Account login = UsersRoutes.credentials(input(env));
    Future<Void> allowed = !limiter.config().enabled() ? Future.succeededFuture()
        : limiter.acquire(limiter.config().login(), "e:" + login.email().trim().toLowerCase(java.util.Locale.ROOT))
            .compose(d -> d.allowed() ? Future.succeededFuture()
                : Future.failedFuture(GraphqlErrors.rateLimited(d)));
    return allowed.compose(ok -> users.login(login.email(), login.password()))
        .map(session -> session.user().toJson(session.token()).getJsonObject("user"));
  }

  private Future<JsonObject> updateUser(DataFetchingEnvironment env) {
    Call call = Call.of(env);
    long user = call.signedIn().user();
    return users.update(user, UsersRoutes.change(input(env))).map(u -> u.toJson(call.token()).getJsonObject("user"));
  }

  private Future<JsonObject> favorite(DataFetchingEnvironment env, boolean on) {
    return articles.favorite(env.getArgument("slug"), Call.of(env).signedIn(), on)
        .map(body -> body.getJsonObject("article"));
  }

  private Future<JsonObject> addComment(DataFetchingEnvironment env) {
    var viewer = Call.of(env).signedIn();
    String body = CommentsRoutes.body(Form.of(new JsonObject().put("body", env.<String>getArgument("body"))));
    return comments.add(env.getArgument("slug"), viewer, body).map(created -> created.getJsonObject("comment"));
  }

  /*
   * Subscription fields run once per live event that passed the subscription's filter (GraphqlSockets), with the
   * event in the context: each reads the entity the event names through the same service as the query field, as
   * the subscriber sees it. An entity gone meanwhile (a deleted article) is NOT_FOUND, and the event is not sent.
   */

  private Future<JsonObject> articlePublished(DataFetchingEnvironment env) {
    JsonObject data = event(env).data();
    String slug = Slugs.of(data.getString("title"), StreamEvent.idOf(data, "articleId"));
    return articles.get(slug, Call.of(env).viewer()).map(body -> body.getJsonObject("article"));
  }

  private Future<JsonObject> commentAdded(DataFetchingEnvironment env) {
    String id = Long.toString(StreamEvent.idOf(event(env).data(), "commentId"));
    return comments.list(env.getArgument("slug"), Call.of(env).viewer()).map(body -> {
      for (Object c : body.getJsonArray("comments")) {
        if (c instanceof JsonObject comment && id.equals(String.valueOf(comment.getValue("id")))) return comment;
      }
      throw ApiError.notFound("comment");
    });
  }

  private Future<JsonObject> followerAdded(DataFetchingEnvironment env) {
    var viewer = Call.of(env).signedIn();
    long follower = event(env).actor();
    Future<Boolean> following = profiles.isFollowing(viewer, follower);
    return profiles.byId(follower, viewer, false).compose(found -> following.map(back -> found
        .orElseThrow(() -> ApiError.notFound("profile")).toJson(back)));
  }

  private static StreamEvent event(DataFetchingEnvironment env) {
    return env.getGraphQlContext().get(StreamEvent.class);
  }

  /** The {@code input} argument as a form, so GraphQL input goes through the REST route's checks. */
  private static Form input(DataFetchingEnvironment env) {
    Map<String, Object> input = env.getArgument("input");
    return Form.of(new JsonObject(input));
  }

  private static JsonObject profile(ProfilesService.ViewedProfile viewed) {
    return viewed.profile().toJson(viewed.following());
  }

  /** A filter argument; empty means no filter (as on REST), NUL can match nothing and is refused up front. */
  private static String nonEmpty(DataFetchingEnvironment env, String name) {
    String value = env.getArgument(name);
    if (value == null || value.isEmpty()) return null;
    if (value.indexOf('\u0000') >= 0) throw ApiError.invalid(name, "must not contain NUL characters");
    return value;
  }
}
