package surge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmark suite from rotting (issue 7, part 5): runs {@code benchmarks/run --smoke} (a 200-user,
 * 1,000-article dataset in its own databases, 3 s per scenario, 1,000 connections, the baselines and the
 * read-anon curve, about 1.5 minutes) and checks that it wrote summary.md with a row per scenario and that no
 * response in any run had an unexpected status. Speed is not asserted: this machine is shared.
 *
 * <p>The runner installs wrk and matplotlib when they are missing. Surge, the seeder and the baselines run from
 * this test's class path ({@code BENCH_CLASSPATH}), so no jar is built while Maven runs the tests; the stack is
 * already up ({@code bin/test} started it).
 */
@Tag("bench")
class BenchmarkSmokeIT {
  private static final List<String> SCENARIOS =
      List.of("read-anon", "read-auth", "list-anon", "list-auth", "article-anon", "article-auth", "profile-anon",
          "profile-auth", "tags-anon", "tags-auth", "feed-1", "feed-5", "feed-20", "mixed", "front-graphql", "front-rest",
          "write-heavy",
          "article-uncached", "connections", "hot-list-1", "hot-bytes-1", "hot-list-3", "hot-bytes-3");

  /**
   * The first of the smoke run's four ports: 50 above a full run's ({@code BENCH_PORT}, default 18400), so the two
   * never meet, and a checkout that has ports of its own on a shared machine keeps its smoke run on them too.
   */
  static String smokePort(String benchPort) {
    int base = benchPort == null || benchPort.isBlank() ? 18400 : Integer.parseInt(benchPort.trim());
    return String.valueOf(base + 50);
  }

  @Test
  void smokeRunWritesTheReportWithoutUnexpectedResponses() throws IOException, InterruptedException {
    Path out = Path.of("target", "bench-smoke").toAbsolutePath();
    Path log = Files.createTempFile("bench-smoke-", ".log");
    ProcessBuilder builder = new ProcessBuilder("bash", "benchmarks/run", "--smoke", "--out=" + out)
        .directory(new File(".")).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("BENCH_CLASSPATH", System.getProperty("java.class.path"));
    builder.environment().put("SKIP_STACK_UP", "1");
    builder.environment().put("BENCH_PORT", smokePort(System.getenv("BENCH_PORT")));
    Process run = builder.start();
    boolean finished = run.waitFor(6, TimeUnit.MINUTES);
    if (!finished) run.destroyForcibly();
    String output = Files.readString(log);
    System.out.println(output);
    assertTrue(finished, "benchmarks/run --smoke did not finish in 6 minutes");
    assertEquals(0, run.exitValue(), "benchmarks/run --smoke failed:\n" + output);

    String summary = Files.readString(out.resolve("summary.md"));
    for (String scenario : SCENARIOS) {
      assertTrue(summary.contains("| " + scenario + " |") || summary.contains("| " + scenario + " (paced"),
          "summary.md has no row for " + scenario + ":\n" + summary);
    }
    assertTrue(summary.contains("| baseline-json |") && summary.contains("| baseline-query |"), summary);
    assertTrue(Files.exists(out.resolve("throughput.png")) && Files.exists(out.resolve("read-anon-curve.png")));

    List<String> lines = Files.readAllLines(out.resolve("results.tsv"));
    List<String> header = Arrays.asList(lines.get(0).split("\t"));
    Function<String, Integer> column = header::indexOf;
    Map<String, String[]> rows = lines.stream().skip(1).map(l -> l.split("\t"))
        .collect(Collectors.toMap(r -> r[0], r -> r, (a, b) -> b));
    for (String scenario : SCENARIOS) assertTrue(rows.containsKey(scenario), "no result for " + scenario);
    rows.forEach((name, row) -> {
      // a warm-up of a second or two may complete nothing on a machine busy with other work; a measured run must
      if (!name.startsWith("warm-")) assertTrue(Long.parseLong(row[column.apply("requests")]) > 0, name + " sent no request");
      assertEquals(0, Long.parseLong(row[column.apply("unexpected")]),
          name + " had unexpected statuses: " + row[column.apply("samples")]);
    });
    // The front page: GraphQL's pages are its requests (one round trip each); REST's take the list and a comments
    // read per article (the smoke dataset fills a 20-article page), so at least 21 requests per completed page.
    long graphqlPages = Long.parseLong(rows.get("front-graphql")[column.apply("pages")]);
    long restPages = Long.parseLong(rows.get("front-rest")[column.apply("pages")]);
    assertTrue(graphqlPages > 0 && restPages > 0, "a front-page run completed no page");
    assertEquals(Long.parseLong(rows.get("front-graphql")[column.apply("requests")]), graphqlPages,
        "front-graphql: a request that was not a whole page");
    assertTrue(Long.parseLong(rows.get("front-rest")[column.apply("requests")]) >= 21 * restPages,
        "front-rest: fewer than 21 requests per page");
    assertTrue(summary.contains("## Front page: GraphQL against REST")
        && summary.contains("| front page by GraphQL: 1 round trip, server CPU per page ≤ REST's |"), summary);
  }
}
