package surge.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three hosts behind one load balancer (system tier): runs {@code docker/multihost/run}, which starts three Surge
 * nodes in network namespaces of their own (198.18.0.0/24), clustered across those addresses, behind HAProxy, and
 * drives steady mixed load through a kill -9, a rolling replacement and a partition (docs/deploy-multihost.md).
 *
 * <p>The script checks its own expectations and exits non-zero on any; this test holds it to that and reads its
 * figures back, so a run that lost its figures or ejected a dead node too slowly fails here even if the script's
 * own checks were loosened. The nodes run from the suite's compiled classes ({@code MH_CLASSPATH}), not from a jar a
 * nested Maven build would have to make. The figures of the run are left in {@code target/multihost/run.log}.
 */
@Tag("system")
class MultiHostIT {
  private static final Path WORK = Path.of("target", "multihost").toAbsolutePath();
  /** HAProxy's health checks in the script: every 500 ms, down after 2 failures, each given up after 1 s. */
  private static final long EJECT_BOUND_MS = 2 * 500 + 1000 + 500;

  private static String output;
  private static int exitCode;

  @BeforeAll
  static void runHarness() throws Exception {
    Files.createDirectories(WORK);
    Path log = WORK.resolve("run.log");
    ProcessBuilder builder = new ProcessBuilder("docker/multihost/run").redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("MH_CLASSPATH", nodeClassPath());
    builder.environment().put("MH_WORK", WORK.resolve("nodes").toString());
    // The repository under test runs its own stack (bin/test started it): its ports come from the same variables.
    builder.environment().put("STACK_REPO", Path.of("").toAbsolutePath().toString());
    Process process = builder.start();
    if (!process.waitFor(12, TimeUnit.MINUTES)) {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS); // its EXIT trap removes the namespaces and the bridge
      process.destroyForcibly();
      throw new AssertionError("docker/multihost/run did not finish in 12 minutes; see " + log);
    }
    exitCode = process.exitValue();
    output = Files.readString(log, StandardCharsets.UTF_8);
  }

  /** The runtime class path of the suite without the test classes (the nodes get the server's logging config). */
  private static String nodeClassPath() {
    String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes"))
        .filter(entry -> !entry.contains("surefire"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  @Test
  void everyExpectationOfTheScriptHolds() {
    assertEquals(0, exitCode, "docker/multihost/run failed:\n" + failures() + "\n" + tail(30));
    assertTrue(output.contains("result: PASS"), "no PASS verdict:\n" + tail(30));
  }

  @Test
  void killedNodeIsEjectedWithinTheCheckIntervalAndOnlyItsInFlightRequestsFail() {
    long eject = number("kill: HAProxy marked n11 DOWN (-?\\d+) ms after kill -9");
    assertTrue(eject >= 0 && eject <= EJECT_BOUND_MS, "n11 ejected after " + eject + " ms (bound " + EJECT_BOUND_MS + ")");
    Matcher kill = figure("kill: (\\d+) requests in \\S+ s, (\\d+) failed");
    assertTrue(Long.parseLong(kill.group(1)) > 100, "too little load to count: " + kill.group(0));
    // Four load workers, one request each in flight: at most four can have been on the killed node.
    assertTrue(Long.parseLong(kill.group(2)) <= 4, kill.group(0));
  }

  @Test
  void rollingReplacementFailsNothingAndEveryStepPropagatesCacheDropsAndLiveEvents() {
    Matcher rolling = figure("rolling: (\\d+) requests in \\S+ s, (\\d+) failed");
    assertTrue(Long.parseLong(rolling.group(1)) > 100, "too little load to count: " + rolling.group(0));
    assertEquals(0, Long.parseLong(rolling.group(2)), rolling.group(0));
    for (String step : List.of("n11 -> n21", "n12 -> n22", "n13 -> n23")) {
      assertTrue(output.contains("rolling: " + step + " in "), "step " + step + " missing:\n" + figures());
    }
    assertEquals(3, count("rolling step n2\\d: write via n\\d+ seen fresh on every other node"),
        "cache-drop checks per step:\n" + figures());
    assertEquals(3, count("rolling step n2\\d: live event on the SSE streams of \\d+ \\d+ \\d+ within"),
        "live-event checks per step:\n" + figures());
  }

  @Test
  void partitionedNodeIsDroppedItsShardsTakenOverAndAfterTheHealNothingIsStaleOrLost() {
    assertTrue(number("partition: HAProxy marked n\\d+ DOWN (-?\\d+) ms after the cut") >= 0, figures());
    assertTrue(number("partition: n\\d+ dropped by .* (\\d+) ms after the cut") > 0, figures());
    assertTrue(output.contains("serves the article changed during the split fresh"), figures());
    Matcher events = figure("partition: surge.articles grew by (\\d+) events; the run wrote (\\d+) article events");
    assertTrue(Long.parseLong(events.group(1)) >= Long.parseLong(events.group(2)), events.group(0));
    Matcher load = figure("partition: (\\d+) requests in \\S+ s, (\\d+) failed");
    assertTrue(Long.parseLong(load.group(1)) > 100, "too little load to count: " + load.group(0));
  }

  private static long number(String regex) {
    return Long.parseLong(figure(regex).group(1));
  }

  private static Matcher figure(String regex) {
    Matcher m = Pattern.compile("^" + regex, Pattern.MULTILINE).matcher(figures());
    assertTrue(m.find(), "no figure /" + regex + "/ in:\n" + figures());
    return m;
  }

  private static long count(String regex) {
    return Pattern.compile("^" + regex, Pattern.MULTILINE).matcher(figures()).results().count();
  }

  /** The block the script prints at exit, after "== figures ==". */
  private static String figures() {
    int at = output.indexOf("== figures ==");
    return at < 0 ? "(no figures block)\n" + tail(30) : output.substring(at);
  }

  private static String failures() {
    List<String> lines = new ArrayList<>();
    for (String line : output.split("\n")) if (line.contains("FAIL")) lines.add(line);
    return String.join("\n", lines);
  }

  private static String tail(int n) {
    String[] lines = output.split("\n");
    return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length));
  }
}
