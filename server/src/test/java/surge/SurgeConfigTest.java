package surge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import surge.config.ConfigException;
import surge.config.ConfigTree;
import surge.auth.AuthConfig;
import surge.cluster.ClusterConfig;

class SurgeConfigTest {
  private static final Path SHIPPED = Path.of("conf/surge.json");

  private static SurgeConfig load(String... args) {
    return SurgeConfig.from(ConfigTree.load(SHIPPED, Map.of(), List.of(args)));
  }

  private static ConfigException rejected(String... args) {
    return assertThrows(ConfigException.class, () -> load(args), String.join(" ", args));
  }

  @Test
  void shippedConfigurationIsAccepted() {
    SurgeConfig c = load();
    assertEquals("dev", c.profile());
    assertFalse(c.production());
    assertEquals(8080, c.http().port());
    assertEquals(List.of("*"), c.http().corsOrigins());
    assertTrue(c.http().maxPageSize() >= 1);
    assertTrue(c.db().poolSize() >= 1);
    assertEquals(2, surge.db.Shards.loadMap(c.db()).physical().size(), "the run command uses two physical shards");
    assertTrue(c.passwords().memoryKib() >= 8);
    assertFalse(c.demo().seed());
  }

  @Test
  void outOfRangePortIsRejectedNamingTheKeyAndVariable() {
    for (String port : new String[] {"65536", "-1", "100000"}) {
      ConfigException e = rejected("--http.port=" + port);
      assertTrue(e.getMessage().contains("http.port") && e.getMessage().contains("SURGE_HTTP_PORT"), e.getMessage());
    }
    assertEquals(65535, load("--http.port=65535").http().port());
    assertEquals(0, load("--http.port=0").http().port(), "0 asks the OS for a free port");
  }

  @Test
  void unknownProfileIsRejected() {
    ConfigException e = rejected("--profile=staging");
    assertTrue(e.getMessage().contains("profile") && e.getMessage().contains("staging"), e.getMessage());
    rejected("--profile=PROD");
    rejected("--profile=");
  }

  @Test
  void prodProfileRequiresAJwtSecretOfAtLeast32Characters() {
    ConfigException e = rejected("--profile=prod");
    assertTrue(e.getMessage().contains("auth.jwtSecret") && e.getMessage().contains("SURGE_AUTH_JWT_SECRET"), e.getMessage());
    rejected("--profile=prod", "--auth.jwtSecret=" + "s".repeat(31));
    SurgeConfig prod = load("--profile=prod", "--auth.jwtSecret=" + "s".repeat(32));
    assertTrue(prod.production());
  }

  @Test
  void prodProfileAndSecretCanComeFromTheEnvironment() {
    Map<String, String> env = Map.of("SURGE_PROFILE", "prod", "SURGE_AUTH_JWT_SECRET", "0123456789abcdef0123456789abcdef");
    assertTrue(SurgeConfig.from(ConfigTree.load(SHIPPED, env, List.of())).production());
    Map<String, String> noSecret = Map.of("SURGE_PROFILE", "prod");
    assertThrows(ConfigException.class, () -> SurgeConfig.from(ConfigTree.load(SHIPPED, noSecret, List.of())));
  }

  @Test
  void devProfileAllowsABlankSecret() {
    assertEquals("", load("--auth.jwtSecret=").auth().jwtSecret());
  }

  @Test
  void otherOutOfRangeValuesAreRejected() {
    rejected("--db.poolSize=0");
    rejected("--http.bodyLimitBytes=10");
    rejected("--http.maxPageSize=0");
    rejected("--passwords.iterations=0");
    rejected("--workers.poolSize=0");
    rejected("--auth.tokenTtlMs=1000");
  }

  @Test
  void edgeSettingsThatWouldBeUnsafeOrCannotWorkAreRejected() {
    ConfigException cors = rejected("--http.corsCredentials=true");
    assertTrue(cors.getMessage().contains("http.corsCredentials"), "credentials with origin * : " + cors.getMessage());
    assertTrue(load("--http.corsCredentials=true", "--http.corsOrigins=https://app.example.com").http().corsCredentials());
    ConfigException tls = rejected("--tls.enabled=true");
    assertTrue(tls.getMessage().contains("tls.certFile"), tls.getMessage());
    rejected("--auth.audience=");
  }

  @Test
  void clusterIsOffByDefaultAndItsMembersAreCheckedWhenOn() {
    ClusterConfig c = load().cluster();
    assertFalse(c.enabled());
    assertEquals(List.of("127.0.0.1:5701"), c.members());
    assertEquals("127.0.0.1", c.host());
    assertEquals(5701, c.port());
    ClusterConfig on = load("--cluster.enabled=true", "--cluster.port=5702",
        "--cluster.members=127.0.0.1:5701, 127.0.0.1:5702").cluster();
    assertTrue(on.enabled());
    assertEquals(List.of("127.0.0.1:5701", "127.0.0.1:5702"), on.members());
    assertEquals(5702, on.port());
    ConfigException range = rejected("--cluster.enabled=true", "--cluster.members=127.0.0.1:5701-5703");
    assertTrue(range.getMessage().contains("cluster.members"), range.getMessage());
    assertTrue(range.getMessage().contains("SURGE_CLUSTER_MEMBERS"), range.getMessage());
    rejected("--cluster.enabled=true", "--cluster.members=");
    rejected("--cluster.port=0");
  }

  @Test
  void clusterTimingsHaveProductionDefaultsAndBecomeHazelcastProperties() {
    ClusterConfig c = load().cluster();
    assertEquals("tcp", c.discovery());
    assertEquals(30_000, c.failureTimeoutMs());
    assertEquals(5, c.heartbeatSeconds(), "Hazelcast's default heartbeat for the default timeout");
    assertEquals(60_000, c.mergeDelayMs());
    var hz = surge.cluster.Cluster.hazelcast(load("--cluster.failureTimeoutMs=4000", "--cluster.mergeDelayMs=3000").cluster(), Map.of());
    assertEquals("4", hz.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("1", hz.getProperty("hazelcast.heartbeat.interval.seconds"), "at least five heartbeats per timeout");
    assertEquals("3", hz.getProperty("hazelcast.merge.first.run.delay.seconds"));
    assertEquals("3", hz.getProperty("hazelcast.merge.next.run.delay.seconds"));
    assertTrue(hz.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    assertFalse(hz.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled());
    ConfigException e = rejected("--cluster.failureTimeoutMs=1000");
    assertTrue(e.getMessage().contains("SURGE_CLUSTER_FAILURE_TIMEOUT_MS"), e.getMessage());
    rejected("--cluster.mergeDelayMs=0");
  }

  @Test
  void kubernetesDiscoveryNeedsExactlyOneWayToFindMembers() {
    ConfigException unknown = rejected("--cluster.discovery=multicast");
    assertTrue(unknown.getMessage().contains("cluster.discovery"), unknown.getMessage());
    ConfigException none = rejected("--cluster.enabled=true", "--cluster.discovery=kubernetes");
    assertTrue(none.getMessage().contains("cluster.kubernetes.serviceDns"), none.getMessage());
    rejected("--cluster.enabled=true", "--cluster.discovery=kubernetes", "--cluster.kubernetes.serviceDns=surge-hz",
        "--cluster.kubernetes.serviceName=surge-hz");
    // Off, nothing is checked: the defaults name no service.
    assertFalse(load("--cluster.discovery=kubernetes").cluster().enabled());

    ClusterConfig dns = load("--cluster.enabled=true", "--cluster.discovery=kubernetes", "--cluster.members=",
        "--cluster.kubernetes.serviceDns=surge-hz.surge.svc.cluster.local").cluster();
    var join = surge.cluster.Cluster.hazelcast(dns, Map.of()).getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertFalse(join.getTcpIpConfig().isEnabled(), "the member list plays no part");
    assertEquals("surge-hz.surge.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));

    ClusterConfig api = load("--cluster.enabled=true", "--cluster.discovery=kubernetes",
        "--cluster.kubernetes.serviceName=surge-hz", "--cluster.kubernetes.namespace=prod").cluster();
    var apiJoin = surge.cluster.Cluster.hazelcast(api, Map.of()).getNetworkConfig().getJoin().getKubernetesConfig();
    assertEquals("surge-hz", apiJoin.getProperty("service-name"));
    assertEquals("prod", apiJoin.getProperty("namespace"));
    assertEquals(null, apiJoin.getProperty("service-dns"));
  }

  @Test
  void aJwkSetFileAndUrlExcludeEachOther() {
    ConfigException both = rejected("--auth.jwksFile=conf/jwks.json", "--auth.jwksUrl=https://id.example.com/jwks");
    assertTrue(both.getMessage().contains("auth.jwksFile") && both.getMessage().contains("auth.jwksUrl"), both.getMessage());
    assertTrue(both.getMessage().contains("SURGE_AUTH_JWKS_URL"), both.getMessage());
    Map<String, String> env = Map.of("SURGE_AUTH_JWKS_FILE", "conf/jwks.json");
    assertThrows(ConfigException.class, () -> SurgeConfig.from(ConfigTree.load(SHIPPED, env,
        List.of("--auth.jwksUrl=https://id.example.com/jwks"))), "one from the environment, one from the command line");
    assertEquals("conf/jwks.json", load("--auth.jwksFile=conf/jwks.json").auth().jwksFile());
  }

  @Test
  void aJwkSetUrlIsHttpsOrLoopbackHttpUnlessPlainHttpIsAllowed() {
    AuthConfig shipped = load().auth();
    assertEquals("", shipped.jwksUrl());
    assertEquals(300_000, shipped.jwksRefreshMs());
    assertEquals(30_000, shipped.jwksMinRefreshMs());
    assertFalse(shipped.jwksAllowHttp());
    assertEquals("https://id.example.com/.well-known/jwks.json",
        load("--auth.jwksUrl=https://id.example.com/.well-known/jwks.json").auth().jwksUrl());
    for (String loopback : new String[] {"http://127.0.0.1:8081/jwks", "http://localhost/jwks", "http://[::1]:9/k"}) {
      assertEquals(loopback, load("--auth.jwksUrl=" + loopback).auth().jwksUrl());
    }
    ConfigException http = rejected("--auth.jwksUrl=http://id.example.com/jwks");
    assertTrue(http.getMessage().contains("auth.jwksUrl") && http.getMessage().contains("auth.jwksAllowHttp"),
        http.getMessage());
    rejected("--auth.jwksUrl=http://127.0.0.1.example.com/jwks");
    assertTrue(load("--auth.jwksUrl=http://id.internal/jwks", "--auth.jwksAllowHttp=true").auth().jwksAllowHttp());
    for (String bad : new String[] {"ftp://id.example.com/jwks", "id.example.com/jwks", "https:///jwks", "https://a b/"}) {
      assertTrue(rejected("--auth.jwksUrl=" + bad).getMessage().contains("auth.jwksUrl"), bad);
    }
    rejected("--auth.jwksRefreshMs=0");
    rejected("--auth.jwksMinRefreshMs=999");
  }

  @Test
  void externalTokensNameTheirUserBySubUnlessTheEmailClaimIsChosen() {
    AuthConfig shipped = load().auth();
    assertEquals("sub", shipped.externalUserClaim());
    assertFalse(shipped.externalUserByEmail());
    assertTrue(load("--auth.externalUserClaim=email").auth().externalUserByEmail());
    Map<String, String> env = Map.of("SURGE_AUTH_EXTERNAL_USER_CLAIM", "email");
    assertTrue(SurgeConfig.from(ConfigTree.load(SHIPPED, env, List.of())).auth().externalUserByEmail(), "from the environment");
    for (String bad : new String[] {"Email", "EMAIL", "preferred_username", "email_verified", "sub,email", ""}) {
      ConfigException e = rejected("--auth.externalUserClaim=" + bad);
      assertTrue(e.getMessage().contains("auth.externalUserClaim") && e.getMessage().contains("SURGE_AUTH_EXTERNAL_USER_CLAIM")
          && e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void keysAreBoundByNameSoTheFileCannotCarryAnUnknownOne() {
    io.vertx.core.json.JsonObject tree = new io.vertx.core.json.JsonObject(read());
    tree.getJsonObject("db").put("poolSise", 3);
    ConfigException e = assertThrows(ConfigException.class, () -> SurgeConfig.from(ConfigTree.of(tree, Map.of())));
    assertTrue(e.getMessage().contains("db.poolSise"), e.getMessage());
    io.vertx.core.json.JsonObject missing = new io.vertx.core.json.JsonObject(read());
    missing.getJsonObject("cache").remove("listTtlMs");
    e = assertThrows(ConfigException.class, () -> SurgeConfig.from(ConfigTree.of(missing, Map.of())));
    assertTrue(e.getMessage().contains("cache.listTtlMs") && e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void aWrongTypeInTheFileNamesTheKeyAndTheVariable() {
    io.vertx.core.json.JsonObject tree = new io.vertx.core.json.JsonObject(read());
    tree.getJsonObject("redis").put("port", "6379");
    ConfigException e = assertThrows(ConfigException.class, () -> SurgeConfig.from(ConfigTree.of(tree, Map.of())));
    assertTrue(e.getMessage().contains("redis.port") && e.getMessage().contains("SURGE_REDIS_PORT")
        && e.getMessage().contains("whole number"), e.getMessage());
    tree.getJsonObject("redis").put("port", 6379.5);
    e = assertThrows(ConfigException.class, () -> SurgeConfig.from(ConfigTree.of(tree, Map.of())));
    assertTrue(e.getMessage().contains("redis.port"), e.getMessage());
  }

  @Test
  void aBadRateLimitPolicyNamesItsKey() {
    ConfigException e = rejected("--ratelimit.reads=600");
    assertTrue(e.getMessage().contains("ratelimit.reads") && e.getMessage().contains("SURGE_RATELIMIT_READS")
        && e.getMessage().contains("'600'"), e.getMessage());
    assertEquals("writes", load().ratelimit().writes().name(), "a policy carries its key's name");
    assertEquals(100, load("--ratelimit.writes=100/30").ratelimit().writes().quota());
  }

  @Test
  void durationsAreMilliseconds() {
    SurgeConfig c = load();
    assertEquals(60_000, c.cache().entityTtlMs());
    assertEquals(86_400, (int) (c.auth().tokenTtlMs() / 1000), "a day, as before");
    assertEquals(604_800, c.timeline().ttlSeconds(), "seven days, as Redis takes them");
    assertEquals(15_000, c.stream().heartbeatMs());
    rejected("--db.readYourWritesTtlMs=2500"); // not longer than replicaMaxLagMs + replicaCheckMs
  }

  private static String read() {
    try {
      return java.nio.file.Files.readString(SHIPPED);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
