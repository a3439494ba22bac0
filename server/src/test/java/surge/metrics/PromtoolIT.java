package surge.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The checked-in Prometheus files pass Prometheus's own checker: the alert rules ({@code promtool check rules}), the
 * example configuration ({@code promtool check config}) and the alerts' unit tests ({@code promtool test rules}).
 * promtool comes from Debian's {@code prometheus} package, which {@code bin/build-tools} (run by {@code bin/test})
 * installs when it is missing.
 */
class PromtoolIT {
  private static final Path RULES = Path.of("monitoring/prometheus/alerts.yml");

  @Test
  void rulesAreValid() throws Exception {
    promtool("check", "rules", RULES.toString());
  }

  @Test
  void exampleConfigIsValid() throws Exception {
    promtool("check", "config", "monitoring/prometheus/prometheus.yml");
  }

  @Test
  void alertsFireAsTheirUnitTestsSay() throws Exception {
    promtool("test", "rules", "monitoring/prometheus/alerts-test.yml");
  }

  private static void promtool(String... args) throws IOException, InterruptedException {
    String binary = findPromtool();
    List<String> command = new ArrayList<>(List.of(binary));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish: " + command);
    assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
  }

  private static String findPromtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
      if (Files.isExecutable(candidate)) return candidate.toString();
    }
    throw new AssertionError("promtool not found on PATH: run bin/build-tools (installs Debian's prometheus package)"
        + " or apt-get install prometheus");
  }
}
