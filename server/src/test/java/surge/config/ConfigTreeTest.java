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
    assertEquals(16, c.integer("db.poolSize", 1, 1000));
    assertEquals("127.0.0.1", c.string("db.host"));
    assertFalse(c.bool("demo.seed"));
  }

  @Test
  void environmentBeatsFileAndArgumentBeatsEnvironment() throws IOException {
    Map<String, String> env = Map.of("SURGE_DB_POOL_SIZE", "32", "SURGE_DB_HOST", "db.internal");
    ConfigTree envOnly = ConfigTree.load(defaults(), env, List.of());
    assertEquals(32, envOnly.integer("db.poolSize", 1, 1000));
    assertEquals("db.internal", envOnly.string("db.host"));

    ConfigTree both = ConfigTree.load(defaults(), env, List.of("--db.poolSize=64"));
    assertEquals(64, both.integer("db.poolSize", 1, 1000));
    assertEquals("db.internal", both.string("db.host"), "an argument for one key leaves the others alone");
  }

  @Test
  void argumentBeatsFileWithoutEnvironment() throws IOException {
    ConfigTree c = ConfigTree.load(defaults(), Map.of(), List.of("--http.port=9090", "--demo.seed=true"));
    assertEquals(9090, c.integer("http.port", 0, 65535));
    assertTrue(c.bool("demo.seed"));
  }

  @Test
  void environmentVariablesForOtherProgramsAreIgnored() throws IOException {
    ConfigTree c = ConfigTree.load(defaults(), Map.of("PATH", "/bin", "SURGE_NOT_A_KEY", "x", "db.poolSize", "99"), List.of());
    assertEquals(16, c.integer("db.poolSize", 1, 1000));
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
    ConfigException e = assertThrows(ConfigException.class, () -> c.integer("db.poolSize", 1, 1000));
    assertMentions(e, "db.poolSize", "SURGE_DB_POOL_SIZE", "5000000000");
  }

  @Test
  void fractionalNumberInTheFileIsNotAnInteger() {
    ConfigTree c = ConfigTree.of(new JsonObject(DEFAULTS).put("workers", new JsonObject().put("poolSize", 1.5)), Map.of());
    ConfigException e = assertThrows(ConfigException.class, () -> c.integer("workers.poolSize", 1, 10));
    assertMentions(e, "workers.poolSize", "SURGE_WORKERS_POOL_SIZE");
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
    assertEquals(3, c.integer("db.poolSize", 1, 10));
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
    assertTrue(ConfigTree.load(file, Map.of("SURGE_DEMO_SEED", "true"), List.of()).bool("demo.seed"));
    assertTrue(ConfigTree.load(file, Map.of("SURGE_DEMO_SEED", " TRUE "), List.of()).bool("demo.seed"));
    assertFalse(ConfigTree.load(file, Map.of(), List.of("--demo.seed=false")).bool("demo.seed"));
  }

  @Test
  void aStringWhereABooleanIsExpectedIsRejected() {
    ConfigTree c = ConfigTree.of(new JsonObject(DEFAULTS).put("demo", new JsonObject().put("seed", "true")), Map.of());
    assertMentions(assertThrows(ConfigException.class, () -> c.bool("demo.seed")), "demo.seed");
  }

  @Test
  void wrongTypesAndMissingKeysNameTheKey() throws IOException {
    ConfigTree c = ConfigTree.load(defaults(), Map.of(), List.of());
    assertMentions(assertThrows(ConfigException.class, () -> c.string("http.port")), "http.port");
    assertMentions(assertThrows(ConfigException.class, () -> c.integer("db.host", 0, 1)), "db.host");
    assertMentions(assertThrows(ConfigException.class, () -> c.string("auth.issuer")), "auth.issuer");
  }

  @Test
  void listSplitsOnCommasAndDropsBlankEntries() {
    ConfigTree c = ConfigTree.of(new JsonObject(DEFAULTS), Map.of("http.corsOrigins", "https://a.example, https://b.example,, "));
    assertEquals(List.of("https://a.example", "https://b.example"), c.list("http.corsOrigins"));
  }

  @Test
  void missingOrInvalidFileIsAConfigExceptionNamingTheFile() throws IOException {
    Path missing = dir.resolve("absent.json");
    assertMentions(assertThrows(ConfigException.class, () -> ConfigTree.load(missing, Map.of(), List.of())), "absent.json");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"profile\": ");
    assertMentions(assertThrows(ConfigException.class, () -> ConfigTree.load(broken, Map.of(), List.of())), "broken.json");
  }
}
