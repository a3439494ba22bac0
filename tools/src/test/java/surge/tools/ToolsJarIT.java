package surge.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * tools/target/surge-tools.jar runs the tools on its own, as bin/shard-move and benchmarks/seed run them: each
 * program starts from the jar and refuses bad arguments with its usage (exit 2) before touching a database. An IT
 * because the jar exists only after {@code package}; it needs no stack.
 */
class ToolsJarIT {
  private static final Path JAR = Path.of("tools/target/surge-tools.jar");

  @Test
  void theShardMoveCliRunsFromTheJar() throws Exception {
    String err = refused("surge.shardmove.ShardMove", "7");
    assertTrue(err.contains("usage: bin/shard-move"), err);
  }

  @Test
  void theSeederRunsFromTheJar() throws Exception {
    String err = refused("surge.bench.Dataset", "stray");
    assertTrue(err.contains("usage: benchmarks/seed"), err);
  }

  /** Runs a program of the jar and returns its standard error, asserting it exited with status 2. */
  private static String refused(String mainClass, String... args) throws IOException, InterruptedException {
    assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the integration tier runs after package");
    Path err = Files.createTempFile("surge-tools-", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder("java", "-cp", JAR.toString(), mainClass);
      builder.command().addAll(List.of(args));
      Process p = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), mainClass + " did not exit");
      String text = Files.readString(err, StandardCharsets.UTF_8);
      assertEquals(2, p.exitValue(), text);
      return text;
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
