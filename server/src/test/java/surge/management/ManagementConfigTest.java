package surge.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import surge.SurgeConfig;
import surge.config.ConfigException;
import surge.config.ConfigTree;

/** {@code management.*} and {@code metrics.enabled}: loopback-only defaults, overrides, bad values named. */
class ManagementConfigTest {
  private static ManagementConfig load(Map<String, String> env, String... args) {
    return config(env, args).management();
  }

  private static SurgeConfig config(Map<String, String> env, String... args) {
    return SurgeConfig.from(ConfigTree.load(Path.of("conf/surge.json"), env, List.of(args)));
  }

  @Test
  void defaultsAreLoopbackOnly() {
    ManagementConfig m = load(Map.of());
    assertTrue(m.enabled());
    assertTrue(config(Map.of()).metrics().enabled());
    assertEquals("127.0.0.1", m.host());
    assertEquals(9464, m.port());
  }

  @Test
  void overrides() {
    ManagementConfig m = load(Map.of("SURGE_MANAGEMENT_PORT", "0", "SURGE_METRICS_ENABLED", "false"),
        "--management.host=0.0.0.0");
    assertEquals(0, m.port(), "0: any free port");
    assertFalse(config(Map.of("SURGE_METRICS_ENABLED", "false")).metrics().enabled());
    assertEquals("0.0.0.0", m.host());
  }

  @Test
  void badValuesNameTheirKey() {
    ConfigException port = assertThrows(ConfigException.class, () -> load(Map.of(), "--management.port=70000"));
    assertTrue(port.getMessage().contains("management.port"), port.getMessage());
    ConfigException host = assertThrows(ConfigException.class, () -> load(Map.of(), "--management.host="));
    assertTrue(host.getMessage().contains("management.host"), host.getMessage());
  }
}
