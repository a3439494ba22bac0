package surge.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/stack} (or {@code SURGE_STACK_SCRIPT}) from the repository root and waits for it: the tests that
 * stop and start one of the stack's services (Redis, the replica, Kafka) to see Surge survive its loss.
 */
public final class Stack {
  private Stack() {}

  /** E.g. {@code Stack.run("kafka", "stop")}; fails the test with the script's output if it fails. */
  public static void run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(System.getenv().getOrDefault("SURGE_STACK_SCRIPT", "bin/stack"));
    command.addAll(List.of(args));
    String what = String.join(" ", command);
    try {
      Path log = Files.createTempFile("surge-stack-", ".log");
      Process p = new ProcessBuilder(command).directory(new File("."))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroy();
        throw new AssertionError(what + " timed out");
      }
      if (p.exitValue() != 0) throw new AssertionError(what + " failed: " + Files.readString(log));
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
