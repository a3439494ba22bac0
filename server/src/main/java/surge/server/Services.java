package surge.server;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import surge.articles.ArticlesService;
import surge.auth.AuthConfig;
import surge.auth.PasswordHasher;
import surge.auth.PasswordsConfig;
import surge.auth.Tokens;
import surge.cache.CacheConfig;
import surge.cache.Caches;
import surge.cluster.ClusterConfig;
import surge.cluster.ClusterMembership;
import surge.comments.CommentsService;
import surge.db.DbConfig;
import surge.db.Shards;
import surge.edge.ConnectionGuard;
import surge.edge.EdgeLimits;
import surge.edge.FileBudget;
import surge.events.RelayStats;
import surge.graphql.GraphqlEndpoint;
import surge.graphql.GraphqlLimits;
import surge.metrics.Metrics;
import surge.profiles.ProfilesRepository;
import surge.profiles.ProfilesService;
import surge.ratelimit.Limiter;
import surge.ratelimit.RateLimits;
import surge.redis.RedisConfig;
import surge.stream.StreamConfig;
import surge.stream.Streams;
import surge.tags.TagsService;
import surge.timeline.TimelineConfig;
import surge.timeline.TimelineRepository;
import surge.timeline.Timelines;
import surge.users.UsersService;

/** The node's feature services, built once and shared by every HTTP verticle instance. */
public record Services(Shards shards, Tokens tokens, WorkerExecutor workers, UsersService users,
                       ProfilesService profiles, ArticlesService articles, CommentsService comments, Caches caches,
                       Limiter limiter, RelayStats relayStats, ClusterMembership membership, Lifecycle lifecycle,
                       ConnectionGuard edge, Streams streams, Metrics metrics, GraphqlEndpoint graphql,
                       Timelines timelines, TimelineRepository timelineRepository) {

  /** The sections of the configuration the services are built from (the aggregate, {@code surge.SurgeConfig}, has them all). */
  public interface Config {
    EdgeLimits edge();

    DbConfig db();

    RedisConfig redis();

    CacheConfig cache();

    AuthConfig auth();

    PasswordsConfig passwords();

    WorkersConfig workers();

    ClusterConfig cluster();

    GraphqlLimits graphql();

    RateLimits ratelimit();

    TimelineConfig timeline();

    StreamConfig stream();

    boolean production();
  }

  /** {@code metrics}: the node's registry, the one its Vert.x was built with if it was (see {@link Metrics#vertxBuilder}). */
  public static Services create(Vertx vertx, Config config, Metrics metrics) {
    // Before any pool exists: a connection budget that cannot fit stops start-up with nothing to close.
    FileBudget budget = FileBudget.plan(FileBudget.processFileLimit(), config.edge(), poolConnections(config.db()));
    int streamCap = budget.streamCap(config.stream().maxConnections());
    ConnectionGuard edge = new ConnectionGuard(config.edge(), budget);
    Shards shards = Shards.connect(vertx, config.db(), config.redis());
    Tokens tokens = new Tokens(vertx, config.auth(), UsersService.accounts(shards));
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("surge-cpu", config.workers().poolSize());
    PasswordHasher hasher = new PasswordHasher(workers, config.passwords());
    ClusterMembership membership = ClusterMembership.watch(vertx, config.cluster());
    Caches caches = Caches.create(vertx, membership, config.cache(), config.redis(), config.db());
    Timelines timelines = Timelines.create(vertx, config.timeline(), config.db(), config.redis(), caches);
    TimelineRepository timelineRepository = new TimelineRepository(shards);
    ProfilesService profiles = new ProfilesService(new ProfilesRepository(shards), caches, timelines, timelineRepository);
    ArticlesService articles = new ArticlesService(shards, profiles, caches, timelines, timelineRepository);
    Limiter limiter = Limiter.create(vertx, config.redis(), config.ratelimit());
    RelayStats relayStats = new RelayStats();
    Streams streams = new Streams(config.stream(), streamCap, profiles);
    SurgeMeters.bind(metrics, shards, caches, limiter, relayStats, edge);
    metrics.streamConnections(streams::connections);
    UsersService users = new UsersService(shards, hasher, tokens, caches);
    CommentsService comments = new CommentsService(shards, articles, profiles);
    // here, off the event loop: it reads the schema file (and the allow-list, if any)
    GraphqlEndpoint graphql = GraphqlEndpoint.create(config.graphql(), config.production(), users, profiles, articles,
        comments, new TagsService(shards, caches), limiter, caches);
    if (timelines != null && metrics.enabled()) {
      timelines.stats().bindTo(metrics.registry());
      SurgeMeters.breaker(metrics, timelines.breaker());
    }
    return new Services(shards, tokens, workers, users, profiles, articles, comments, caches, limiter, relayStats,
        membership, new Lifecycle(), edge, streams, metrics, graphql, timelines, timelineRepository);
  }

  /** The node's own database descriptors at most: every pool full, plus a probe and a relay connection per database. */
  private static int poolConnections(DbConfig db) {
    return Shards.loadMap(db).physical().stream().mapToInt(p -> (1 + p.replicas().size()) * (db.poolSize() + 2)).sum();
  }
}
