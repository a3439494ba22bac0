package surge.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Everything Surge reads from configuration, parsed and checked once at start.
 *
 * @param profile {@code dev} or {@code prod}; prod refuses to start without a JWT secret
 * @param log logging ({@code log.*}, see {@link surge.observability.LogConfig})
 * @param tracing OpenTelemetry tracing ({@code tracing.*}, see {@link surge.observability.TracingConfig})
 * @param edge what a client may cost the node ({@code edge.*}, see {@link surge.edge.EdgeLimits})
 * @param graphql what one GraphQL request may ask for ({@code graphql.*}, see {@link surge.graphql.GraphqlLimits})
 */
public record SurgeConfig(
    String profile, Http http, Db db, Redis redis, Auth auth, Passwords passwords, int workerPoolSize, boolean seedDemo,
    Cache cache, surge.ratelimit.RateLimits rateLimits, Cluster cluster, Events events, Stream stream, Shutdown shutdown,
    Management management, surge.observability.LogConfig log, surge.observability.TracingConfig tracing,
    surge.edge.EdgeLimits edge, surge.graphql.GraphqlLimits graphql, Timeline timeline) {

  /**
   * @param host interface to bind ({@code http.host})
   * @param port HTTP port ({@code http.port})
   * @param instances HTTP verticle instances; 0 means one per event loop ({@code http.instances})
   * @param bodyLimitBytes larger request bodies get 413 ({@code http.bodyLimitBytes})
   * @param corsOrigins allowed origins, {@code *} for any ({@code http.corsOrigins}, comma-separated)
   * @param maxPageSize largest {@code limit} a list honours; larger values are clamped ({@code http.maxPageSize})
   * @param corsCredentials answer CORS requests with {@code Access-Control-Allow-Credentials: true}
   *     ({@code http.corsCredentials}); refused together with origin {@code *}
   * @param maxHeaderBytes larger request headers (all of them) get 431 ({@code http.maxHeaderBytes})
   * @param maxUriBytes a longer request line gets 414 ({@code http.maxUriBytes})
   * @param tls HTTPS ({@code tls.*})
   * @param requestTimeoutMs a request whose response has not started after this long gets 503; 0 = none
   *     ({@code http.requestTimeoutMs})
   */
  public record Http(String host, int port, int instances, int bodyLimitBytes, List<String> corsOrigins, int maxPageSize,
                     boolean corsCredentials, int maxHeaderBytes, int maxUriBytes, Tls tls, int requestTimeoutMs) {}

  /**
   * @param enabled serve HTTPS on {@code http.port} ({@code tls.enabled})
   * @param certFile PEM certificate chain ({@code tls.certFile})
   * @param keyFile PEM private key, PKCS#8 or PKCS#1 ({@code tls.keyFile})
   * @param http2 offer HTTP/2 through ALPN next to HTTP/1.1 ({@code tls.http2})
   * @param redirectPort a plain-HTTP port that redirects every request to HTTPS, 0 for none ({@code tls.redirectPort})
   * @param hstsSeconds {@code Strict-Transport-Security: max-age} sent over HTTPS, 0 for none ({@code tls.hstsSeconds})
   */
  public record Tls(boolean enabled, String certFile, String keyFile, boolean http2, int redirectPort, int hstsSeconds) {}

  /**
   * @param host default primary host of entries in {@code db.shards} that name none ({@code db.host})
   * @param shards physical shards, {@code [name=][host[:port]/]database[@replica[+replica]]}, comma-separated
   *     ({@code db.shards}); see {@link surge.db.ShardMap}
   * @param replicas default streaming replicas ({@code host:port}, comma-separated) of entries that name none
   *     ({@code db.replicas})
   * @param shardMapFile JSON file with logical-shard reassignments written by the shard-move tool; a missing file
   *     or an empty value means the even split ({@code db.shardMapFile})
   * @param shardMapReloadMs how often a running node re-reads the map file ({@code db.shardMapReloadMs}); the
   *     shard-move tool waits two of these for nodes to follow each step
   * @param poolSize connections per pool ({@code db.poolSize})
   * @param poolMaxWaitQueue requests that may wait for a connection before failing fast ({@code db.poolMaxWaitQueue})
   * @param pipeliningLimit queries in flight per connection ({@code db.pipeliningLimit})
   * @param replicaCheckMs how often each node checks every replica's replay position and lag ({@code db.replicaCheckMs});
   *     a replica that goes down or falls behind leaves rotation within one interval (reads that hit it leave sooner)
   * @param replicaMaxLagBytes a replica further behind its primary than this many WAL bytes leaves rotation
   *     ({@code db.replicaMaxLagBytes})
   * @param replicaMaxLagMs a replica behind its primary for longer than this leaves rotation ({@code db.replicaMaxLagMs})
   * @param readYourWritesTtlSeconds how long a user's last write position is kept (in Redis and per node) to route
   *     their reads to a replica that has it ({@code db.readYourWritesTtlSeconds}); must exceed the time a replica
   *     in rotation can lag, i.e. {@code replicaMaxLagMs + replicaCheckMs}
   */
  public record Db(String host, int port, String shards, String replicas, String shardMapFile, int shardMapReloadMs, String user,
                   String password, int poolSize, int poolMaxWaitQueue, int pipeliningLimit,
                   int preparedStatementCacheSize, int replicaCheckMs, int replicaMaxLagBytes,
                   int replicaMaxLagMs, int readYourWritesTtlSeconds) {}

  /**
   * Redis: the cache's L2 and invalidations, rate-limit buckets, read-your-writes marks.
   *
   * @param host Redis host ({@code redis.host})
   * @param port Redis port ({@code redis.port})
   * @param timeoutMs longest wait for Redis on a request's path; a command not answered by then counts as failed
   *     ({@code redis.timeoutMs})
   * @param breakerFailures failed or timed-out commands in a row that open a Redis circuit breaker (each user of
   *     Redis has its own: cache, rate limiter, read-your-writes marks); while open, that user skips Redis
   *     ({@code redis.breakerFailures})
   */
  public record Redis(String host, int port, int timeoutMs, int breakerFailures) {}

  /**
   * The two-level cache (see {@link surge.cache.Caches}) and HTTP caching headers.
   *
   * @param enabled whether reads go through the cache at all ({@code cache.enabled})
   * @param l1MaxEntries entries kept in process per cache, least recently used out first ({@code cache.l1MaxEntries})
   * @param entityTtlSeconds lifetime of cached articles and profiles ({@code cache.entityTtlSeconds}): the longest
   *     another client can read one stale if an invalidation is lost
   * @param listTtlSeconds lifetime of cached anonymous list pages and the tag list ({@code cache.listTtlSeconds})
   * @param jitterPercent Redis TTLs vary by up to this share either way, so entries filled together do not expire
   *     together ({@code cache.jitterPercent})
   * @param redisBreakerSeconds after a Redis failure or a command slower than {@code redis.timeoutMs}, the cache is
   *     bypassed for this long before Redis is tried again ({@code cache.redisBreakerSeconds})
   * @param httpMaxAgeSeconds {@code s-maxage} of anonymous GET responses under {@code /api}: how long shared caches may keep them (browsers revalidate every time)
   *     ({@code http.cacheMaxAgeSeconds}); 0 sends {@code no-cache} instead, so shared caches revalidate every time
   * @param viewerL1MaxEntries in-process entries of the {@code viewer} cache ({@code cache.viewerL1MaxEntries}): two per
   *     signed-in user recently seen (followees, favorites), a few hundred bytes each
   * @param viewerTtlSeconds lifetime of the {@code viewer} cache's sets ({@code cache.viewerTtlSeconds}): only their
   *     owner's own writes change them, and those invalidate them, so the lifetime is a safety net and can be long
   */
  public record Cache(boolean enabled, int l1MaxEntries, int entityTtlSeconds, int listTtlSeconds, int jitterPercent,
                      int redisBreakerSeconds, int httpMaxAgeSeconds, int viewerL1MaxEntries, int viewerTtlSeconds) {}

  /**
   * @param jwtSecret HMAC key for HS256 tokens ({@code auth.jwtSecret}, env {@code SURGE_AUTH_JWT_SECRET}); blank
   *     in dev means a random key per process
   * @param issuer {@code iss} of issued tokens, accepted on incoming ones ({@code auth.issuer})
   * @param tokenTtlSeconds token lifetime ({@code auth.tokenTtlSeconds})
   * @param audience {@code aud} of issued tokens; incoming ones must include it ({@code auth.audience})
   * @param jwtPreviousSecrets HS256 keys that still verify but no longer sign, comma-separated: rotate by making the
   *     old secret a previous one until its last tokens expired ({@code auth.jwtPreviousSecrets})
   * @param externalIssuers further {@code iss} values accepted, e.g. an OAuth2/OIDC provider that signs with a key
   *     of {@code auth.jwksFile} or {@code auth.jwksUrl}; which Surge user its tokens speak for is
   *     {@code externalUserClaim} ({@code auth.externalIssuers})
   * @param jwksFile a JWK set ({@code {"keys": [...]}}) of further verification keys, empty for none ({@code auth.jwksFile});
   *     excludes {@code jwksUrl}
   * @param jwksReloadSeconds how often the JWK set file is re-read ({@code auth.jwksReloadSeconds})
   * @param jwksUrl where to fetch a JWK set of further verification keys, e.g. an OIDC provider's {@code jwks_uri};
   *     https, or http to a loopback host ({@code auth.jwksUrl}); empty for none; excludes {@code jwksFile}
   * @param jwksRefreshSeconds how often the set at {@code jwksUrl} is fetched again; a shorter
   *     {@code Cache-Control: max-age} of the response wins ({@code auth.jwksRefreshSeconds})
   * @param jwksMinRefreshSeconds least time between two fetches that tokens with an unknown key id cause, the floor
   *     of a response's max-age, and the retry delay after a failed fetch ({@code auth.jwksMinRefreshSeconds})
   * @param jwksAllowHttp let {@code jwksUrl} be plain http to a host that is not loopback ({@code auth.jwksAllowHttp}):
   *     keys fetched that way can be swapped by anyone on the path, so only for a trusted network
   * @param externalUserClaim how a token of an external issuer names its Surge user ({@code auth.externalUserClaim}):
   *     {@link #USER_BY_SUB}, its {@code sub} is the Surge user id; {@link #USER_BY_EMAIL}, the account whose e-mail
   *     is the token's {@code email} claim, which the issuer must mark {@code email_verified: true}. Surge's own
   *     tokens always carry the user id in {@code sub}
   */
  public record Auth(String jwtSecret, String issuer, int tokenTtlSeconds, String audience, List<String> jwtPreviousSecrets,
                     List<String> externalIssuers, String jwksFile, int jwksReloadSeconds, String jwksUrl,
                     int jwksRefreshSeconds, int jwksMinRefreshSeconds, boolean jwksAllowHttp,
                     String externalUserClaim) {
    public static final String USER_BY_SUB = "sub";
    public static final String USER_BY_EMAIL = "email";

    /** Whether external tokens are matched to accounts by their verified e-mail rather than by {@code sub}. */
    public boolean externalUserByEmail() {
      return USER_BY_EMAIL.equals(externalUserClaim);
    }
  }

  /**
   * Clustering of the nodes' Vert.x instances (Hazelcast, see {@link surge.cluster.Cluster}): with it on, the event bus
   * spans every node and carries cache invalidations.
   *
   * @param enabled start Vert.x clustered ({@code cluster.enabled}, default false: a standalone node)
   * @param members every member's Hazelcast {@code host:port}, comma-separated and listed one by one, this node's
   *     own included (TCP/IP join; a port range such as {@code 5701-5703} is rejected) ({@code cluster.members})
   * @param host the interface Hazelcast binds and announces, also the event bus's host and public host
   *     ({@code cluster.host}); must be an address the other members can reach
   * @param port this member's Hazelcast port ({@code cluster.port}); no auto-increment: a taken port fails start-up
   * @param discovery how members find each other ({@code cluster.discovery}): {@code tcp}, the {@code cluster.members}
   *     list, or {@code kubernetes}, Hazelcast's Kubernetes discovery (see {@link Kubernetes})
   * @param failureTimeoutSeconds a member silent for this long is declared dead and dropped by the others
   *     ({@code cluster.failureTimeoutSeconds}, Hazelcast's {@code hazelcast.max.no.heartbeat.seconds}); heartbeats go
   *     out at least five times per timeout (at most every 5 s). Shorter drops dead nodes sooner but splits off nodes that pause (GC, CPU starvation)
   * @param mergeDelaySeconds how often a member that was split off looks for the rest of the cluster to merge back
   *     into ({@code cluster.mergeDelaySeconds}, Hazelcast's first and next split-brain merge run delay): the longest
   *     a healed split stays split
   * @param kubernetes where {@code kubernetes} discovery looks ({@code cluster.kubernetes.*})
   */
  public record Cluster(boolean enabled, List<String> members, String host, int port, String discovery,
                        int failureTimeoutSeconds, int mergeDelaySeconds, Kubernetes kubernetes) {
    /** TCP/IP discovery with the production timings of conf/surge.json: for tests and tools that build one by hand. */
    public Cluster(boolean enabled, List<String> members, String host, int port) {
      this(enabled, members, host, port, TCP, 30, 60, Kubernetes.NONE);
    }

    public static final String TCP = "tcp";
    public static final String KUBERNETES = "kubernetes";

    public boolean kubernetesDiscovery() {
      return KUBERNETES.equals(discovery);
    }

    /**
     * Hazelcast's heartbeat interval for this failure timeout: at least five heartbeats fit in it, so one lost or late
     * packet never drops a member; at most Hazelcast's default of 5 s.
     */
    public int heartbeatSeconds() {
      return Math.max(1, Math.min(5, failureTimeoutSeconds / 5));
    }
  }

  /**
   * Hazelcast's built-in Kubernetes discovery ({@code cluster.discovery=kubernetes}). DNS lookup mode when
   * {@code serviceDns} is set (a headless Service's DNS name; no Kubernetes API access needed), else API mode, which
   * asks the Kubernetes API for the endpoints of {@code serviceName} in {@code namespace} (the pod's service account
   * must be allowed to read endpoints and pods).
   *
   * @param serviceDns e.g. {@code surge-hz.surge.svc.cluster.local} ({@code cluster.kubernetes.serviceDns})
   * @param serviceName the Service whose endpoints are the members, API mode ({@code cluster.kubernetes.serviceName})
   * @param namespace the Service's namespace, API mode; empty = the pod's own ({@code cluster.kubernetes.namespace})
   */
  public record Kubernetes(String serviceDns, String serviceName, String namespace) {
    public static final Kubernetes NONE = new Kubernetes("", "", "");

    public boolean dnsMode() {
      return !serviceDns.isBlank();
    }
  }

  /**
   * Domain events: the outbox relay that publishes them to Kafka (see {@link surge.events.OutboxRelay}).
   *
   * @param relay run the relay on this node ({@code events.relay}); every node may, one per physical shard is active
   * @param kafkaBootstrap Kafka bootstrap servers, {@code host:port}, comma-separated ({@code kafka.bootstrap})
   * @param topicUsers topic of user events, registrations, profile updates and follows ({@code events.topicUsers})
   * @param topicArticles topic of article, favorite and comment events ({@code events.topicArticles})
   * @param partitions partitions of each topic when the relay creates it ({@code events.partitions}); an existing
   *     topic is left as it is
   * @param replicationFactor replicas of each partition when the relay creates a topic ({@code events.replicationFactor})
   * @param batchSize most outbox rows one relay round publishes ({@code events.batchSize})
   * @param pollMs a relay with nothing to do looks again after this long even without a notification ({@code events.pollMs})
   * @param lockRetryMs a standby relay tries to become a shard's active relay this often ({@code events.lockRetryMs})
   * @param backlogCheckMs how often the backlog (rows, age of the oldest) of each shard is measured
   *     ({@code events.backlogCheckMs})
   * @param retryMaxMs longest pause between attempts while Kafka or the database fails ({@code events.retryMaxMs})
   * @param breakerFailures failed sends in a row that open the node's Kafka circuit breaker
   *     ({@code events.breakerFailures})
   * @param breakerResetMs how long the open breaker refuses sends before one probe send goes through
   *     ({@code events.breakerResetMs})
   */
  public record Events(boolean relay, String kafkaBootstrap, String topicUsers, String topicArticles, int partitions,
                       int replicationFactor, int batchSize, int pollMs, int lockRetryMs, int backlogCheckMs,
                       int retryMaxMs, int breakerFailures, int breakerResetMs) {}

  /**
   * The feed's timelines (see {@link surge.timeline.Timelines} and docs/feed.md).
   *
   * @param enabled serve {@code GET /articles/feed} from Redis timelines fanned out on write; off = every feed is the
   *     scatter-gather query ({@code timeline.enabled})
   * @param consumer run this node's member of the timeline consumer group ({@code timeline.consumer})
   * @param group Kafka consumer group of the timeline consumers ({@code timeline.group})
   * @param fanoutMaxFollowers authors with more followers are not fanned out but merged in at read time
   *     ({@code timeline.fanoutMaxFollowers})
   * @param capacity most entries one timeline keeps; deeper feed pages use the scatter-gather query
   *     ({@code timeline.capacity})
   * @param maxLagMs timelines are trusted only while the consumers and the outbox are at most this far behind
   *     ({@code timeline.maxLagMs})
   * @param ttlSeconds an unread timeline expires after this long and is rebuilt when read again
   *     ({@code timeline.ttlSeconds})
   * @param lagReportMs how often consumers report their lag and readers re-check trust ({@code timeline.lagReportMs})
   */
  public record Timeline(boolean enabled, boolean consumer, String group, int fanoutMaxFollowers, int capacity,
                         int maxLagMs, int ttlSeconds, int lagReportMs) {}

  /**
   * The live event stream, {@code GET /api/stream} (Server-Sent Events; see {@link surge.stream.StreamHub}).
   *
   * @param heartbeatSeconds a comment block is sent on every stream this often, by one timer per HTTP verticle
   *     ({@code stream.heartbeatSeconds})
   * @param replayEvents recent events each HTTP verticle instance keeps for {@code Last-Event-ID} resumes; 0 makes
   *     every resume a {@code reset} ({@code stream.replayEvents})
   * @param replaySeconds ... and for at most this long ({@code stream.replaySeconds})
   * @param maxBufferBytes a stream whose unsent bytes exceed this is closed: a slow client is dropped, not buffered
   *     ({@code stream.maxBufferBytes})
   * @param maxConnections streams one node holds at most; more get 503 ({@code stream.maxConnections}); 0 = as many
   *     as the node's connection budget ({@code edge.maxConnections})
   */
  public record Stream(int heartbeatSeconds, int replayEvents, int replaySeconds, int maxBufferBytes,
                       int maxConnections) {}

  /**
   * Stopping a node (SIGTERM, see {@link surge.Surge#shutdown}).
   *
   * @param drainDelayMs after readiness turned false, how long the node keeps accepting new connections, so load
   *     balancers notice and stop sending before it stops listening ({@code shutdown.drainDelayMs})
   * @param graceMs how long requests and streams in flight may take to finish once it stopped listening; what is
   *     still open then is closed ({@code shutdown.graceMs})
   */
  public record Shutdown(int drainDelayMs, int graceMs) {}

  /**
   * The management server (see {@link surge.management.ManagementVerticle}): operator endpoints on a port of their own,
   * apart from the API, loopback-only unless told otherwise.
   *
   * @param enabled run the management server on this node ({@code management.enabled})
   * @param host interface it binds ({@code management.host}, default {@code 127.0.0.1}: reachable from this machine
   *     only; a Prometheus elsewhere needs an interface it can reach)
   * @param port its port ({@code management.port}); 0 picks a free one (tests)
   * @param metrics serve Prometheus metrics on {@code GET /metrics}, and build Vert.x with its Micrometer metrics
   *     ({@code metrics.enabled})
   * @param token bearer token the operator endpoints under {@code /admin} require ({@code management.token},
   *     {@code SURGE_MANAGEMENT_TOKEN}); empty turns them off (404)
   */
  public record Management(boolean enabled, String host, int port, boolean metrics, String token) {}

  /** Argon2id cost parameters ({@code passwords.*}); stored hashes carry their own, so changes apply to new hashes. */
  public record Passwords(int memoryKib, int iterations, int parallelism) {}

  /** {@code cluster.*}: the list is checked only for TCP/IP discovery, the Kubernetes keys only for Kubernetes discovery. */
  static Cluster cluster(ConfigTree c) {
    Kubernetes kubernetes = new Kubernetes(c.string("cluster.kubernetes.serviceDns").trim(),
        c.string("cluster.kubernetes.serviceName").trim(), c.string("cluster.kubernetes.namespace").trim());
    Cluster cluster = new Cluster(c.bool("cluster.enabled"), c.list("cluster.members"), c.string("cluster.host"),
        c.integer("cluster.port", 1, 65535), c.string("cluster.discovery"), c.integer("cluster.failureTimeoutSeconds", 2, 3600),
        c.integer("cluster.mergeDelaySeconds", 1, 3600), kubernetes);
    if (!cluster.discovery().equals(Cluster.TCP) && !cluster.kubernetesDiscovery()) {
      throw new ConfigException("config key cluster.discovery (SURGE_CLUSTER_DISCOVERY): expected tcp or kubernetes, got '"
          + cluster.discovery() + "'");
    }
    if (!cluster.enabled()) return cluster;
    if (cluster.host().isBlank()) throw new ConfigException("config key cluster.host (SURGE_CLUSTER_HOST) must be set when cluster.enabled is true");
    if (cluster.kubernetesDiscovery()) {
      checkKubernetes(kubernetes);
      return cluster;
    }
    if (cluster.members().isEmpty()) throw new ConfigException("config key cluster.members (SURGE_CLUSTER_MEMBERS) must list at least one host:port when cluster.enabled is true");
    for (String member : cluster.members()) {
      if (!member.matches("[^:\\s,]+:\\d{1,5}")) {
        throw new ConfigException("config key cluster.members (SURGE_CLUSTER_MEMBERS): expected host:port entries listed one by one"
            + " (no port ranges), got '" + member + "'");
      }
    }
    return cluster;
  }

  /** At most one JWK set source, and a URL whose keys cannot be swapped on the way unless the operator said so. */
  private static void checkJwksSource(Auth auth) {
    if (!auth.jwksFile().isBlank() && !auth.jwksUrl().isBlank()) {
      throw new ConfigException("config keys auth.jwksFile (SURGE_AUTH_JWKS_FILE) and auth.jwksUrl (SURGE_AUTH_JWKS_URL)"
          + " exclude each other: set one");
    }
    if (auth.jwksUrl().isBlank()) return;
    URI uri = jwksUri(auth.jwksUrl());
    if (uri.getScheme().equalsIgnoreCase("http") && !loopbackHost(uri.getHost()) && !auth.jwksAllowHttp()) {
      throw new ConfigException("config key auth.jwksUrl (SURGE_AUTH_JWKS_URL): plain http is allowed to a loopback host"
          + " only, got '" + auth.jwksUrl() + "'; use https, or set auth.jwksAllowHttp=true on a trusted network");
    }
  }

  /** Exact spelling only: a typo must stop the node, not quietly keep matching by {@code sub}. */
  private static void checkExternalUserClaim(Auth auth) {
    String claim = auth.externalUserClaim();
    if (!claim.equals(Auth.USER_BY_SUB) && !claim.equals(Auth.USER_BY_EMAIL)) {
      throw new ConfigException("config key auth.externalUserClaim (SURGE_AUTH_EXTERNAL_USER_CLAIM): expected sub or"
          + " email, got '" + claim + "'");
    }
  }

  private static URI jwksUri(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null) return uri;
    } catch (URISyntaxException e) {
      // reported below, with the key's name
    }
    throw new ConfigException("config key auth.jwksUrl (SURGE_AUTH_JWKS_URL): expected an absolute https:// or http://"
        + " URL, got '" + url + "'");
  }

  /** By name only: resolving it here would block, and DNS can be answered by someone else. */
  static boolean loopbackHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.equals("[::1]") || h.matches("127(\\.\\d{1,3}){3}");
  }

  /** Exactly one mode: Hazelcast refuses a configuration that sets both, and finds nothing with neither. */
  private static void checkKubernetes(Kubernetes k) {
    if (k.dnsMode() && !k.serviceName().isBlank()) {
      throw new ConfigException("config keys cluster.kubernetes.serviceDns (SURGE_CLUSTER_KUBERNETES_SERVICE_DNS) and"
          + " cluster.kubernetes.serviceName (SURGE_CLUSTER_KUBERNETES_SERVICE_NAME) exclude each other: set one");
    }
    if (!k.dnsMode() && k.serviceName().isBlank()) {
      throw new ConfigException("config key cluster.kubernetes.serviceDns (SURGE_CLUSTER_KUBERNETES_SERVICE_DNS) or"
          + " cluster.kubernetes.serviceName (SURGE_CLUSTER_KUBERNETES_SERVICE_NAME) must be set when cluster.discovery is kubernetes");
    }
  }

  public boolean production() {
    return profile.equals("prod");
  }

  /** Reads and checks every key; the first bad one stops start-up with its name. */
  public static SurgeConfig from(ConfigTree c) {
    String profile = c.string("profile");
    if (!profile.equals("dev") && !profile.equals("prod")) {
      throw new ConfigException("config key profile (SURGE_PROFILE): expected dev or prod, got '" + profile + "'");
    }
    Tls tls = new Tls(c.bool("tls.enabled"), c.string("tls.certFile"), c.string("tls.keyFile"), c.bool("tls.http2"),
        c.integer("tls.redirectPort", 0, 65535), c.integer("tls.hstsSeconds", 0, 2 * 365 * 86400));
    if (tls.enabled() && (tls.certFile().isBlank() || tls.keyFile().isBlank())) {
      throw new ConfigException("config keys tls.certFile and tls.keyFile (SURGE_TLS_CERT_FILE, SURGE_TLS_KEY_FILE) must name PEM files when tls.enabled is true");
    }
    Http http = new Http(c.string("http.host"), c.integer("http.port", 0, 65535), c.integer("http.instances", 0, 1024),
        c.integer("http.bodyLimitBytes", 1024, 64 << 20), c.list("http.corsOrigins"), c.integer("http.maxPageSize", 1, 1000),
        c.bool("http.corsCredentials"), c.integer("http.maxHeaderBytes", 1024, 1 << 20),
        c.integer("http.maxUriBytes", 256, 1 << 20), tls, c.integer("http.requestTimeoutMs", 0, 3_600_000));
    if (http.corsCredentials() && http.corsOrigins().contains("*")) {
      throw new ConfigException("config key http.corsCredentials (SURGE_HTTP_CORS_CREDENTIALS) cannot be true while"
          + " http.corsOrigins allows any origin (*): list the origins that may send credentials");
    }
    Db db = new Db(c.string("db.host"), c.integer("db.port", 1, 65535), c.string("db.shards"), c.string("db.replicas"),
        c.string("db.shardMapFile"), c.integer("db.shardMapReloadMs", 10, 60_000), c.string("db.user"), c.string("db.password"), c.integer("db.poolSize", 1, 1000), c.integer("db.poolMaxWaitQueue", -1, 1_000_000),
        c.integer("db.pipeliningLimit", 1, 4096), c.integer("db.preparedStatementCacheSize", 0, 100_000),
        c.integer("db.replicaCheckMs", 50, 60_000),
        c.integer("db.replicaMaxLagBytes", 0, Integer.MAX_VALUE), c.integer("db.replicaMaxLagMs", 0, 3_600_000),
        c.integer("db.readYourWritesTtlSeconds", 1, 86_400));
    if (db.readYourWritesTtlSeconds() * 1000L <= (long) db.replicaMaxLagMs() + db.replicaCheckMs()) {
      throw new ConfigException("config key db.readYourWritesTtlSeconds (SURGE_DB_READ_YOUR_WRITES_TTL_SECONDS) must exceed"
          + " db.replicaMaxLagMs + db.replicaCheckMs, or a replica in rotation could serve a user a read older than their write");
    }
    Redis redis = new Redis(c.string("redis.host"), c.integer("redis.port", 1, 65535), c.integer("redis.timeoutMs", 10, 60_000),
        c.integer("redis.breakerFailures", 1, 1000));
    Auth auth = new Auth(c.string("auth.jwtSecret"), c.string("auth.issuer"),
        c.integer("auth.tokenTtlSeconds", 60, 365 * 86400), c.string("auth.audience"), c.list("auth.jwtPreviousSecrets"),
        c.list("auth.externalIssuers"), c.string("auth.jwksFile"), c.integer("auth.jwksReloadSeconds", 1, 86_400),
        c.string("auth.jwksUrl").trim(), c.integer("auth.jwksRefreshSeconds", 1, 86_400),
        c.integer("auth.jwksMinRefreshSeconds", 1, 3_600), c.bool("auth.jwksAllowHttp"),
        c.string("auth.externalUserClaim"));
    if (profile.equals("prod") && auth.jwtSecret().length() < 32) {
      throw new ConfigException("config key auth.jwtSecret (SURGE_AUTH_JWT_SECRET) must be set to at least 32 characters in the prod profile");
    }
    if (profile.equals("prod") && auth.jwtPreviousSecrets().stream().anyMatch(s -> s.length() < 32)) {
      throw new ConfigException("config key auth.jwtPreviousSecrets (SURGE_AUTH_JWT_PREVIOUS_SECRETS): every secret must have at least 32 characters in the prod profile");
    }
    if (auth.issuer().isBlank() || auth.audience().isBlank()) {
      throw new ConfigException("config keys auth.issuer and auth.audience must not be empty");
    }
    checkJwksSource(auth);
    checkExternalUserClaim(auth);
    Passwords passwords = new Passwords(c.integer("passwords.memoryKib", 8, 4 << 20),
        c.integer("passwords.iterations", 1, 100), c.integer("passwords.parallelism", 1, 64));
    Cache cache = new Cache(c.bool("cache.enabled"), c.integer("cache.l1MaxEntries", 1, 10_000_000),
        c.integer("cache.entityTtlSeconds", 1, 86_400), c.integer("cache.listTtlSeconds", 1, 86_400),
        c.integer("cache.jitterPercent", 0, 50), c.integer("cache.redisBreakerSeconds", 1, 600),
        c.integer("http.cacheMaxAgeSeconds", 0, 86_400), c.integer("cache.viewerL1MaxEntries", 1, 10_000_000),
        c.integer("cache.viewerTtlSeconds", 1, 86_400));
    Cluster cluster = cluster(c);
    Events events = new Events(c.bool("events.relay"), c.string("kafka.bootstrap"), c.string("events.topicUsers"),
        c.string("events.topicArticles"), c.integer("events.partitions", 1, 10_000),
        c.integer("events.replicationFactor", 1, 16), c.integer("events.batchSize", 1, 10_000),
        c.integer("events.pollMs", 10, 600_000), c.integer("events.lockRetryMs", 10, 600_000),
        c.integer("events.backlogCheckMs", 100, 3_600_000), c.integer("events.retryMaxMs", 10, 600_000),
        c.integer("events.breakerFailures", 1, 100_000), c.integer("events.breakerResetMs", 100, 600_000));
    if (events.topicUsers().isBlank() || events.topicArticles().isBlank() || events.topicUsers().equals(events.topicArticles())) {
      throw new ConfigException("config keys events.topicUsers and events.topicArticles must name two different topics");
    }
    Stream stream = new Stream(c.integer("stream.heartbeatSeconds", 1, 3600), c.integer("stream.replayEvents", 0, 1_000_000),
        c.integer("stream.replaySeconds", 0, 86_400), c.integer("stream.maxBufferBytes", 1024, 64 << 20),
        c.integer("stream.maxConnections", 0, 10_000_000));
    Management management = new Management(c.bool("management.enabled"), c.string("management.host"),
        c.integer("management.port", 0, 65535), c.bool("metrics.enabled"), c.string("management.token"));
    if (!management.token().isEmpty() && management.token().length() < 16) {
      throw new ConfigException("config key management.token (SURGE_MANAGEMENT_TOKEN) must have at least 16 characters, or be empty to turn /admin off");
    }
    if (management.enabled() && management.host().isBlank()) {
      throw new ConfigException("config key management.host (SURGE_MANAGEMENT_HOST) must name an interface when management.enabled is true");
    }
    return new SurgeConfig(profile, http, db, redis, auth, passwords, c.integer("workers.poolSize", 1, 256), c.bool("demo.seed"),
        cache, surge.ratelimit.RateLimits.from(c), cluster, events, stream,
        new Shutdown(c.integer("shutdown.drainDelayMs", 0, 600_000), c.integer("shutdown.graceMs", 0, 600_000)),
        management, surge.observability.LogConfig.from(c), surge.observability.TracingConfig.from(c),
        surge.edge.EdgeLimits.from(c), surge.graphql.GraphqlLimits.from(c), timeline(c));
  }

  private static Timeline timeline(ConfigTree c) {
    Timeline t = new Timeline(c.bool("timeline.enabled"), c.bool("timeline.consumer"), c.string("timeline.group"),
        c.integer("timeline.fanoutMaxFollowers", 0, 10_000_000), c.integer("timeline.capacity", 10, 100_000),
        c.integer("timeline.maxLagMs", 100, 3_600_000), c.integer("timeline.ttlSeconds", 60, 90 * 86_400),
        c.integer("timeline.lagReportMs", 50, 60_000));
    if (t.group().isBlank()) throw new ConfigException("config key timeline.group (SURGE_TIMELINE_GROUP) must not be empty");
    return t;
  }
}
