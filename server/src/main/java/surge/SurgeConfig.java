package surge;

import surge.auth.AuthConfig;
import surge.auth.PasswordsConfig;
import surge.cache.CacheConfig;
import surge.cluster.ClusterConfig;
import surge.cluster.VertxConfig;
import surge.config.Binder;
import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.ConfigTree;
import surge.config.Doc;
import surge.db.DbConfig;
import surge.demo.DemoConfig;
import surge.edge.EdgeLimits;
import surge.events.EventsConfig;
import surge.events.KafkaConfig;
import surge.events.OutboxRelay;
import surge.graphql.GraphqlLimits;
import surge.management.ManagementConfig;
import surge.metrics.MetricsConfig;
import surge.observability.LogConfig;
import surge.observability.TracingConfig;
import surge.ratelimit.RateLimits;
import surge.redis.RedisConfig;
import surge.server.HttpConfig;
import surge.server.Services;
import surge.server.ShutdownConfig;
import surge.server.TlsConfig;
import surge.server.WorkersConfig;
import surge.stream.StreamConfig;
import surge.timeline.TimelineConfig;
import surge.timeline.TimelineVerticle;

/**
 * Everything Surge reads from configuration, bound from the tree by name (each component is a top-level key of
 * {@code conf/surge.json}) and checked once at start. Each section's record lives beside the component that uses it;
 * this aggregate sits at the top because it names them all.
 */
public record SurgeConfig(
    @Doc("`dev` or `prod`; `prod` refuses to start without `auth.jwtSecret` (32+ characters) and logs JSON by default.")
    String profile,
    HttpConfig http, EdgeLimits edge, TlsConfig tls, DbConfig db, RedisConfig redis, CacheConfig cache, AuthConfig auth,
    PasswordsConfig passwords, WorkersConfig workers, VertxConfig vertx, ClusterConfig cluster, DemoConfig demo, GraphqlLimits graphql,
    RateLimits ratelimit, KafkaConfig kafka, EventsConfig events, TimelineConfig timeline, StreamConfig stream,
    ShutdownConfig shutdown, ManagementConfig management, MetricsConfig metrics, LogConfig log, TracingConfig tracing)
    implements Checked, Services.Config, OutboxRelay.Config, TimelineVerticle.Config {

  /** Binds and checks every key; the first bad one stops start-up with its name. */
  public static SurgeConfig from(ConfigTree tree) {
    return Binder.bind(tree, SurgeConfig.class);
  }

  @Override
  public boolean production() {
    return profile.equals("prod");
  }

  @Override
  public void check() {
    if (!profile.equals("dev") && !profile.equals("prod")) {
      throw ConfigException.key("profile", "expected dev or prod, got '" + profile + "'");
    }
    if (production()) auth.checkForProduction();
  }
}
