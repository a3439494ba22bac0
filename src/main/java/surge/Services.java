package surge;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import surge.articles.ArticlesService;
import surge.auth.PasswordHasher;
import surge.auth.Tokens;
import surge.cache.Caches;
import surge.cluster.ClusterMembership;
import surge.comments.CommentsService;
import surge.config.SurgeConfig;
import surge.db.Shards;
import surge.events.RelayStats;
import surge.metrics.Metrics;
import surge.metrics.SurgeMeters;
import surge.profiles.ProfilesRepository;
import surge.profiles.ProfilesService;
import surge.ratelimit.Limiter;
import surge.stream.Streams;
import surge.users.UsersService;

/** The node's feature services, built once and shared by every HTTP verticle instance. */
public record Services(Shards shards, Tokens tokens, WorkerExecutor workers, UsersService users,
                       ProfilesService profiles, ArticlesService articles, CommentsService comments, Caches caches,
                       Limiter limiter, RelayStats relayStats, ClusterMembership membership, Lifecycle lifecycle,
                       surge.http.Connections connections, Streams streams, Metrics metrics) {

  /** {@code metrics}: the node's registry, the one its Vert.x was built with if it was (see {@link Metrics#vertxBuilder}). */
  public static Services create(Vertx vertx, SurgeConfig config, Metrics metrics) {
    Shards shards = Shards.connect(vertx, config.db(), config.redis());
    Tokens tokens = new Tokens(vertx, config.auth(), UsersService.accounts(shards));
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("surge-cpu", config.workerPoolSize());
    PasswordHasher hasher = new PasswordHasher(workers, config.passwords());
    ClusterMembership membership = ClusterMembership.watch(vertx, config.cluster());
    Caches caches = Caches.create(vertx, membership, config.cache(), config.redis(), config.db());
    ProfilesService profiles = new ProfilesService(new ProfilesRepository(shards), caches);
    ArticlesService articles = new ArticlesService(shards, profiles, caches);
    Limiter limiter = Limiter.create(vertx, config.redis(), config.rateLimits());
    RelayStats relayStats = new RelayStats();
    Streams streams = new Streams(config.stream(), profiles);
    SurgeMeters.bind(metrics, shards, caches, limiter, relayStats);
    metrics.streamConnections(streams::connections);
    return new Services(shards, tokens, workers, new UsersService(shards, hasher, tokens, caches), profiles, articles,
        new CommentsService(shards, articles, profiles), caches, limiter, relayStats, membership, new Lifecycle(),
        new surge.http.Connections(config.http().maxConnections()), streams, metrics);
  }
}
