package surge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTreeTest {
  /** The shape of {@link #DEFAULTS}, bound by name as the server's records are. */
  record Http(@Range(min = 0, max = 65535) int port, @Range(min = 1024, max = 64 << 20) int bodyLimitBytes,
              List<String> corsOrigins) {}

  record Db(@Range(min = 1, max = 1000) int poolSize, String host) {}

  record Demo(boolean seed) {}

  record Tree(String profile, Http http, Db db, Demo demo) {}

  private static Tree bind(ConfigTree c) {
    return Binder.bind(c, Tree.class);
  }

  private static final String DEFAULTS = """
      {
        "profile": "dev",
        "http": {"port": 8080, "bodyLimitBytes": 1048576, "corsOrigins": "*"},
        "db": {"poolSize": 16, "host": "127.0.0.1"},
        "demo": {"seed": false}
      }""";

  @TempDir Path dir;

  private Path defaults() throws IOException {
    return Files.writeString(dir.resolve("surge.json"), DEFAULTS);
  }

  private static void assertMentions(ConfigException e, String... parts) {
    for (String part : parts) assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should name " + part);
  }

  @Test
  void envNameSplitsCamelCaseAndDots() {
    assertEquals("SURGE_DB_POOL_SIZE", ConfigTree.envName("db.poolSize"));
    assertEquals("SURGE_HTTP_BODY_LIMIT_BYTES", ConfigTree.envName("http.bodyLimitBytes"));
    assertEquals("SURGE_AUTH_JWT_SECRET", ConfigTree.envName("auth.jwtSecret"));
    assertEquals("SURGE_DB_POOL_MAX_WAIT_QUEUE", ConfigTree.envName("db.poolMaxWaitQueue"));
    assertEquals("SURGE_PASSWORDS_MEMORY_KIB", ConfigTree.envName("passwords.memoryKib"));
    assertEquals("SURGE_PROFILE", ConfigTree.envName("profile"));
  }

  @Test
  void fileValuesAreReadWhenNothingOverridesThem() throws IOException {
    ConfigTree c = ConfigTree.load(defaults(), Map.of(), List.of());
    assertEquals(16, bind(c).db().poolSize());
    assertEquals("127.0.0.1", bind(c).db().host());
    assertFalse(bind(c).demo().seed());
  }

  @Test
  void environmentBeatsFileAndArgumentBeatsEnvironment() throws IOException {
    Map<String, String> env = Map.of("SURGE_DB_POOL_SIZE", "32", "SURGE_DB_HOST", "db.internal");
    ConfigTree envOnly = ConfigTree.load(defaults(), env, List.of());
    assertEquals(32, bind(envOnly).db().poolSize());
    assertEquals("db.internal", bind(envOnly).db().host());

    ConfigTree both = ConfigTree.load(defaults(), env, List.of("--db.poolSize=64"));
    assertEquals(64, bind(both).db().poolSize());
    assertEquals("db.internal", bind(both).db().host(), "an argument for one key leaves the others alone");
  }

  @Test
  void argumentBeatsFileWithoutEnvironment() throws IOException {
    ConfigTree c = ConfigTree.load(defaults(), Map.of(), List.of("--http.port=9090", "--demo.seed=true"));
    assertEquals(9090, bind(c).http().port());
    assertTrue(bind(c).demo().seed());
  }

  @Test
  void environmentVariablesForOtherProgramsAreIgnored() throws IOException {
    ConfigTree c = ConfigTree.load(defaults(), Map.of("PATH", "/bin", "SURGE_NOT_A_KEY", "x", "db.poolSize", "99"), List.of());
    assertEquals(16, bind(c).db().poolSize());
  }

  @Test
  void badIntegerFromEnvironmentNamesTheKeyAndTheVariable() throws IOException {
    Path file = defaults();
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigTree.load(file, Map.of("SURGE_DB_POOL_SIZE", "sixteen"), List.of()));
    assertMentions(e, "db.poolSize", "SURGE_DB_POOL_SIZE", "sixteen");
    e = assertThrows(ConfigException.class, () -> ConfigTree.load(file, Map.of("SURGE_DB_POOL_SIZE", "1.5"), List.of()));
    assertMentions(e, "db.poolSize", "SURGE_DB_POOL_SIZE");
  }

  @Test
  void badIntegerFromArgumentNamesTheKeyAndTheArgument() throws IOException {
    Path file = defaults();
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigTree.load(file, Map.of(), List.of("--http.port=80a")));
    assertMentions(e, "http.port", "--http.port", "80a");
  }

  @Test
  void outOfRangeIntegerNamesTheKeyAndTheVariable() throws IOException {
    ConfigTree c = ConfigTree.load(defaults(), Map.of("SURGE_DB_POOL_SIZE", "5000000000"), List.of());
    ConfigException e = assertThrows(ConfigException.class, () -> bind(c));
    assertMentions(e, "db.poolSize", "SURGE_DB_POOL_SIZE", "5000000000");
  }

  @Test
  void fractionalNumberInTheFileIsNotAnInteger() {
    JsonObject tree = new JsonObject(DEFAULTS);
    tree.getJsonObject("http").put("port", 8080.5);
    ConfigException e = assertThrows(ConfigException.class, () -> bind(ConfigTree.of(tree, Map.of())));
    assertMentions(e, "http.port", "SURGE_HTTP_PORT", "whole number");
  }

  @Test
  void unknownArgumentKeyIsRejected() throws IOException {
    Path file = defaults();
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigTree.load(file, Map.of(), List.of("--db.poolSise=3")));
    assertMentions(e, "db.poolSise");
    assertThrows(ConfigException.class, () -> ConfigTree.load(file, Map.of(), List.of("--nope=1")));
    assertThrows(ConfigException.class, () -> ConfigTree.load(file, Map.of(), List.of("--db.poolSize.x=1")));
  }

  @Test
  void aSectionIsNotAKeyThatCanBeOverridden() throws IOException {
    // "--db=x" used to replace the whole db section with a string, so start-up later failed with a
    // misleading "db.host is missing" instead of naming the bad argument.
    Path file = defaults();
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigTree.load(file, Map.of(), List.of("--db=x")));
    assertMentions(e, "db");
    assertThrows(ConfigException.class, () -> ConfigTree.of(new JsonObject(DEFAULTS), Map.of("http", "x")));
  }

  @Test
  void unknownOverrideKeyIsRejectedInOfToo() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigTree.of(new JsonObject(DEFAULTS), Map.of("db.pool", "1")));
    assertMentions(e, "db.pool");
  }

  @Test
  void ofCopiesTheTreeAndAppliesOverrides() {
    JsonObject tree = new JsonObject(DEFAULTS);
    ConfigTree c = ConfigTree.of(tree, Map.of("db.poolSize", "3"));
    assertEquals(3, bind(c).db().poolSize());
    assertEquals(16, tree.getJsonObject("db").getInteger("poolSize"), "the caller's tree is not modified");
  }

  @Test
  void booleansAcceptOnlyTrueOrFalse() throws IOException {
    Path file = defaults();
    for (String bad : new String[] {"yes", "no", "1", "0", "on", "", "truee"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> ConfigTree.load(file, Map.of("SURGE_DEMO_SEED", bad), List.of()), "'" + bad + "'");
      assertMentions(e, "demo.seed", "SURGE_DEMO_SEED");
    }
    assertEquals(true, ConfigTree.load(file, Map.of("SURGE_DEMO_SEED", "true"), List.of()).value("demo.seed"));
    assertEquals(true, ConfigTree.load(file, Map.of("SURGE_DEMO_SEED", " TRUE "), List.of()).value("demo.seed"));
    assertEquals(false, ConfigTree.load(file, Map.of(), List.of("--demo.seed=false")).value("demo.seed"));
  }

  @Test
  void aStringWhereABooleanIsExpectedIsRejected() {
    ConfigTree c = ConfigTree.of(new JsonObject(DEFAULTS).put("demo", new JsonObject().put("seed", "true")), Map.of());
    assertMentions(assertThrows(ConfigException.class, () -> bind(c)), "demo.seed", "SURGE_DEMO_SEED", "true or false");
  }

  @Test
  void wrongTypesAndMissingKeysNameTheKey() throws IOException {
    JsonObject portAsText = new JsonObject(DEFAULTS);
    portAsText.getJsonObject("http").put("port", "8080");
    assertMentions(assertThrows(ConfigException.class, () -> bind(ConfigTree.of(portAsText, Map.of()))), "http.port", "SURGE_HTTP_PORT");
    JsonObject hostAsNumber = new JsonObject(DEFAULTS);
    hostAsNumber.getJsonObject("db").put("host", 5);
    assertMentions(assertThrows(ConfigException.class, () -> bind(ConfigTree.of(hostAsNumber, Map.of()))), "db.host", "a string");
    JsonObject noHost = new JsonObject(DEFAULTS);
    noHost.getJsonObject("db").remove("host");
    assertMentions(assertThrows(ConfigException.class, () -> bind(ConfigTree.of(noHost, Map.of()))), "db.host", "missing");
    JsonObject nullHost = new JsonObject(DEFAULTS);
    nullHost.getJsonObject("db").putNull("host");
    assertMentions(assertThrows(ConfigException.class, () -> bind(ConfigTree.of(nullHost, Map.of()))), "db.host", "null");
    JsonObject extra = new JsonObject(DEFAULTS);
    extra.getJsonObject("db").put("poolSise", 3);
    assertMentions(assertThrows(ConfigException.class, () -> bind(ConfigTree.of(extra, Map.of()))), "db.poolSise");
    ConfigTree tree = ConfigTree.of(new JsonObject(DEFAULTS), Map.of("http.bodyLimitBytes", "10"));
    assertMentions(assertThrows(ConfigException.class, () -> bind(tree)), "http.bodyLimitBytes", "1024..");
  }

  @Test
  void listSplitsOnCommasAndDropsBlankEntries() {
    ConfigTree c = ConfigTree.of(new JsonObject(DEFAULTS), Map.of("http.corsOrigins", "https://a.example, https://b.example,, "));
    assertEquals(List.of("https://a.example", "https://b.example"), bind(c).http().corsOrigins());
  }

  @Test
  void missingOrInvalidFileIsAConfigExceptionNamingTheFile() throws IOException {
    Path missing = dir.resolve("absent.json");
    assertMentions(assertThrows(ConfigException.class, () -> ConfigTree.load(missing, Map.of(), List.of())), "absent.json");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"profile\": ");
    assertMentions(assertThrows(ConfigException.class, () -> ConfigTree.load(broken, Map.of(), List.of())), "broken.json");
  }
}
