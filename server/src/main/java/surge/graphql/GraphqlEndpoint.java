package surge.graphql;

import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.introspection.Introspection;
import graphql.language.Document;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.validation.ValidationError;
import graphql.validation.Validator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.graphql.instrumentation.JsonObjectAdapter;
import io.vertx.ext.web.handler.graphql.instrumentation.VertxFutureAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import surge.articles.ArticlesService;
import surge.cache.Caches;
import surge.comments.CommentsService;
import surge.core.ApiError;
import surge.core.Viewer;
import surge.profiles.ProfilesService;
import surge.ratelimit.Decision;
import surge.ratelimit.Limiter;
import surge.ratelimit.RateLimitHandler;
import surge.stream.StreamEvent;
import surge.tags.TagsService;
import surge.users.UsersService;
import surge.web.AuthHandler;
import surge.web.Errors;
import surge.web.HttpCaching;

/**
 * {@code GET} and {@code POST /graphql}: graphql-java over the feature services, with vertx-web-graphql's adapters
 * (resolvers return Vert.x futures; REST's JSON objects are the results). Built once per node (the schema and the
 * {@link GraphQL} engine are immutable and thread-safe); each request gets its own {@link Call} and DataLoaders.
 *
 * <p>A request's path: one {@code reads} token (before anything is parsed, as every REST request pays before it is
 * read), the caller's token, then the document is parsed and validated once, checked against {@code graphql.*} and
 * costed ({@link QueryCheck}); the rest of the cost is taken from the caller's bucket (a query's from {@code reads},
 * a mutation's from {@code writes}, sign-ups and logins from {@code auth} per address); only then does it run, on the
 * document already parsed. The response carries {@code extensions.cost}: what it cost, what each policy spent and
 * what is left.
 *
 * <p>Why not vertx-web-graphql's {@code GraphQLHandler}: it reads the request and runs the operation in one step,
 * and the cost must be known and paid for in between; it also answers GET without ETag or Cache-Control.
 */
public final class GraphqlEndpoint {
  private static final String SCHEMA = "graphql/surge.graphqls";
  private static final String BILL = "surge.graphql.bill";

  private final GraphQL graphql;
  /** Runs a subscription's selection once per event: the schema with Subscription as its query root. */
  private final GraphQL events;
  private final GraphQLSchema schema;
  private final GraphqlLimits limits;
  private final boolean introspection;
  private final CommentsService comments;
  private final PersistedQueries persisted;

  private GraphqlEndpoint(GraphQLSchema schema, GraphqlLimits limits, boolean introspection, CommentsService comments,
                          PersistedQueries persisted) {
    this.persisted = persisted;
    this.schema = schema;
    this.limits = limits;
    this.introspection = introspection;
    this.comments = comments;
    this.graphql = engine(schema);
    this.events = engine(GraphQLSchema.newSchema(schema).query(schema.getSubscriptionType()).build());
  }

  private static GraphQL engine(GraphQLSchema schema) {
    return GraphQL.newGraphQL(schema)
        .instrumentation(new ChainedInstrumentation(VertxFutureAdapter.create(), new JsonObjectAdapter()))
        .defaultDataFetcherExceptionHandler(new GraphqlErrors())
        // the document was parsed and validated before its cost was paid; it is not parsed again
        .preparsedDocumentProvider((input, parse) -> {
          Document known = input.getGraphQLContext().get(Document.class);
          return CompletableFuture.completedFuture(known != null ? new PreparsedDocumentEntry(known) : parse.apply(input));
        })
        .build();
  }

  /** Reads the schema file and wires it to the services; call off the event loop (it reads a class-path resource). */
  public static GraphqlEndpoint create(GraphqlLimits limits, boolean production, UsersService users,
                                       ProfilesService profiles, ArticlesService articles, CommentsService comments,
                                       TagsService tags, Limiter limiter, Caches caches) {
    String sdl;
    try (InputStream in = GraphqlEndpoint.class.getClassLoader().getResourceAsStream(SCHEMA)) {
      if (in == null) throw new IllegalStateException(SCHEMA + " is not on the class path");
      sdl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + SCHEMA, e);
    }
    var wiring = new Resolvers(users, profiles, articles, comments, tags, limiter).wiring();
    GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
    return new GraphqlEndpoint(schema, limits, limits.introspectionOn(production), comments,
        PersistedQueries.create(limits, caches));
  }

  /**
   * The routes, after the caller's timeout and body handlers on {@code path}. {@code limiter}: null when rate limits
   * are off.
   */
  public void mount(Router root, String path, RateLimitHandler limiter, Handler<RoutingContext> optionalAuth) {
    Handler<RoutingContext> admit = limiter == null ? RoutingContext::next : ctx -> admit(ctx, limiter);
    Handler<RoutingContext> run = ctx -> run(ctx, limiter);
    root.get(path).handler(admit).handler(optionalAuth).handler(run);
    root.post(path).handler(admit).handler(optionalAuth).handler(run);
    root.route(path).handler(ctx -> GraphqlErrors.send(ctx, 405, "METHOD_NOT_ALLOWED", "use GET or POST", null));
    root.route(path).failureHandler(GraphqlErrors::render);
  }

  /** The one token every request pays before it is read, as on REST (so unreadable requests are limited too). */
  private void admit(RoutingContext ctx, RateLimitHandler limiter) {
    limiter.principal(ctx).compose(principal -> {
      Bill bill = new Bill(limiter.limiter(), principal);
      ctx.put(BILL, bill);
      return bill.take(limiter.limiter().config().reads(), principal, 1);
    }).onSuccess(d -> {
      RateLimitHandler.headers(ctx.response(), ctx.<Bill>get(BILL).decisions());
      if (d.allowed()) ctx.next();
      else refuse(ctx, d);
    }).onFailure(ctx::fail);
  }

  private void run(RoutingContext ctx, RateLimitHandler limiter) {
    GraphqlRequest read = GraphqlRequest.read(ctx, limits.maxQueryBytes());
    if (read == null) return; // answered
    // compose, not a call: a persisted-query refusal thrown while resolving becomes this chain's failure
    Future.succeededFuture(read).compose(persisted::resolve)
        .map(query -> prepare(ctx, read.withQuery(query)))
        .compose(ready -> pay(ctx, limiter, ready.shape())
            .compose(paid -> paid ? execute(ctx, ready) : Future.succeededFuture()))
        .onFailure(failure -> refusedOrFailed(ctx, failure));
  }

  /** A document parsed, valid, within every limit and costed; refusals are thrown ({@link #refusedOrFailed}). */
  private record Ready(GraphqlRequest request, Document document, QueryCheck.Shape shape) {}

  /** A parse or validation failure, answered with graphql-java's own errors (and their locations). */
  private static final class Invalid extends RuntimeException {
    final String code;
    final List<? extends GraphQLError> errors;

    Invalid(String code, List<? extends GraphQLError> errors) {
      super(code, null, false, false);
      this.code = code;
      this.errors = errors;
    }
  }

  /** The request's document, parsed and valid; {@link Invalid} otherwise. */
  private Document document(GraphqlRequest request) {
    Document document;
    try {
      document = Parser.parse(request.query());
    } catch (InvalidSyntaxException e) {
      throw new Invalid("GRAPHQL_PARSE_FAILED", List.of(e.toInvalidSyntaxError()));
    }
    List<ValidationError> invalid = new Validator().validateDocument(schema, document, Locale.ENGLISH);
    if (!invalid.isEmpty()) throw new Invalid("GRAPHQL_VALIDATION_FAILED", invalid);
    return document;
  }

  private Ready prepare(RoutingContext ctx, GraphqlRequest request) {
    Document document = document(request);
    QueryCheck.Shape shape = QueryCheck.check(schema, document, request.operationName(), request.variables(), limits,
        introspection);
    if (shape.mutation() && ctx.request().method() == HttpMethod.GET) {
      throw new QueryCheck.Refused("METHOD_NOT_ALLOWED", "mutations need POST", null);
    }
    persisted.register(request);
    return new Ready(request, document, shape);
  }

  /**
   * A subscription sent over a socket, through the same steps as an HTTP request (persisted queries and the
   * allow-list, parse, validation, {@link QueryCheck}); a refusal fails the future with {@link Invalid} or
   * {@link QueryCheck.Refused} ({@link #errorsOf} words it).
   */
  Future<Subscription> subscription(GraphqlRequest read) {
    return Future.succeededFuture(read).compose(persisted::resolve).map(query -> {
      GraphqlRequest request = read.withQuery(query);
      Document document = document(request);
      QueryCheck.Shape shape = QueryCheck.check(schema, document, request.operationName(), request.variables(), limits,
          introspection, true);
      persisted.register(request);
      return Subscription.of(request, document, shape);
    });
  }

  /** One event through a subscription's selection, as {@code call}'s viewer sees it; completes on {@code context}. */
  Future<ExecutionResult> resolve(Subscription subscription, Call call, StreamEvent event, Context context) {
    GraphqlRequest request = subscription.request();
    Map<Object, Object> values = new LinkedHashMap<>();
    values.put(Call.class, call);
    values.put(Document.class, subscription.asQuery());
    values.put(StreamEvent.class, event);
    if (!introspection) values.put(Introspection.INTROSPECTION_DISABLED, true);
    ExecutionInput input = ExecutionInput.newExecutionInput(request.query())
        .operationName(request.operationName())
        .variables(request.variables() == null ? Map.of() : request.variables())
        .graphQLContext(values)
        .dataLoaderRegistry(Loaders.forRequest(comments, call.viewer()))
        .build();
    return Future.fromCompletionStage(events.executeAsync(input), context);
  }

  /** A refusal before execution as graphql-transport-ws {@code error} payload: GraphQL errors with their codes. */
  static JsonArray errorsOf(Throwable failure) {
    if (failure instanceof Invalid invalid) return GraphqlErrors.errors(invalid.code, invalid.errors);
    if (failure instanceof QueryCheck.Refused r) return GraphqlErrors.errors(r.code, r.getMessage(), r.details);
    ApiError error = Errors.classify(failure, 500);
    return error == null ? GraphqlErrors.errors("INTERNAL", "internal error", null)
        : GraphqlErrors.errors(GraphqlErrors.code(error.status()), GraphqlErrors.message(error), null);
  }

  GraphqlLimits limits() {
    return limits;
  }

  private static void refusedOrFailed(RoutingContext ctx, Throwable failure) {
    if (failure instanceof Invalid invalid) {
      GraphqlErrors.send(ctx, invalid.code, invalid.errors);
    } else if (failure instanceof QueryCheck.Refused r) {
      // every refusal of a well-formed GraphQL request is HTTP 200 with errors[], but a mutation sent as GET: 405
      GraphqlErrors.send(ctx, r.code.equals("METHOD_NOT_ALLOWED") ? 405 : 200, r.code, r.getMessage(), r.details);
    } else {
      ctx.fail(failure);
    }
  }

  /** Takes the rest of the cost; false (and answered 429) when a policy refused. */
  private Future<Boolean> pay(RoutingContext ctx, RateLimitHandler limiter, QueryCheck.Shape shape) {
    Bill bill = ctx.get(BILL);
    if (bill == null) return Future.succeededFuture(true);
    var policies = bill.limiter().config();
    Future<Decision> paid = shape.mutation()
        ? bill.take(policies.writes(), bill.principal, shape.writeCost())
            .compose(d -> d != null && !d.allowed() ? Future.succeededFuture(d)
                : bill.take(policies.auth(), "ip:" + limiter.clientIp(ctx.request()), shape.authFields()))
        : bill.take(policies.reads(), bill.principal, shape.cost() - 1);
    return paid.map(d -> {
      RateLimitHandler.headers(ctx.response(), bill.decisions());
      if (d == null || d.allowed()) return true;
      refuse(ctx, d);
      return false;
    });
  }

  private Future<Void> execute(RoutingContext ctx, Ready ready) {
    GraphqlRequest request = ready.request();
    QueryCheck.Shape shape = ready.shape();
    Long user = AuthHandler.userId(ctx);
    Call call = new Call(Viewer.of(user, shape.mutation()), AuthHandler.token(ctx));
    Map<Object, Object> context = new LinkedHashMap<>();
    context.put(Call.class, call);
    context.put(Document.class, ready.document());
    if (!introspection) context.put(Introspection.INTROSPECTION_DISABLED, true);
    ExecutionInput input = ExecutionInput.newExecutionInput(request.query())
        .operationName(request.operationName())
        .variables(request.variables() == null ? Map.of() : request.variables())
        .graphQLContext(context)
        .dataLoaderRegistry(Loaders.forRequest(comments, call.viewer()))
        .build();
    return Future.fromCompletionStage(graphql.executeAsync(input), ctx.vertx().getOrCreateContext())
        .map(result -> respond(ctx, result, shape));
  }

  private Void respond(RoutingContext ctx, ExecutionResult result, QueryCheck.Shape shape) {
    Map<String, Object> body = new LinkedHashMap<>(result.toSpecification());
    // The ETag covers the result, not extensions.cost: what is left in the bucket changes with every call (it is in
    // the RateLimit header of a 304 too), and a client's copy stays current while the data does.
    String etag = ctx.request().method() == HttpMethod.GET ? HttpCaching.etag(new JsonObject(body).toBuffer()) : null;
    Map<String, Object> extensions = new LinkedHashMap<>();
    if (body.get("extensions") instanceof Map<?, ?> given) given.forEach((k, v) -> extensions.put(String.valueOf(k), v));
    Bill bill = ctx.get(BILL);
    extensions.put("cost", bill == null ? new JsonObject().put("cost", shape.cost()) : bill.json(shape.cost()));
    body.put("extensions", extensions);
    if (ctx.response().ended()) return null;
    // a clean GET result is cacheable like a REST GET (ETag, 304, Cache-Control); one with errors, like a REST error, is not
    if (result.getErrors().isEmpty()) HttpCaching.ok(ctx, new JsonObject(body).toBuffer(), etag);
    else GraphqlErrors.write(ctx.response().setStatusCode(200), new JsonObject(body));
    return null;
  }

  private static void refuse(RoutingContext ctx, Decision d) {
    ctx.response().putHeader("Retry-After", Long.toString(d.retryAfterSeconds()));
    GraphqlErrors.send(ctx, 429, "RATE_LIMITED", "limit exceeded, retry in " + d.retryAfterSeconds() + " s",
        JsonObject.of("policy", d.policy().name(), "retryAfterSeconds", d.retryAfterSeconds()));
  }
}
