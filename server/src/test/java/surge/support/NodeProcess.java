package surge.support;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Surge node in a process of its own ({@code java -cp <the test class path> surge.Main ...}, from the repository
 * directory), configured like {@link TestNode}'s nodes (same environment defaults and overrides), so a test can pause
 * it ({@code SIGSTOP}/{@code SIGCONT}) or kill it ({@code SIGKILL}) as a real node would be.
 *
 * <p>Its output goes to {@code target/node-<name>.log}. {@link #destroy} resumes a paused process before ending it, so
 * a test never leaves a stopped JVM behind; a shutdown hook of the test JVM does the same if the test never gets to it.
 */
public final class NodeProcess {
  private final String name;
  private final int httpPort;
  private final Process process;
  private final Path log;
  private final Thread hook;
  private volatile boolean paused;

  private NodeProcess(String name, int httpPort, Process process, Path log) {
    this.name = name;
    this.httpPort = httpPort;
    this.process = process;
    this.log = log;
    this.hook = new Thread(this::destroy, "destroy-node-" + name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts a node on {@code httpPort} with the suite's overrides plus {@code overrides}; {@code systemProperties} go to
   * its JVM ({@code -Dkey=value}, e.g. Hazelcast properties that have no Surge key). Returns at once.
   */
  public static NodeProcess start(String name, int httpPort, Map<String, String> overrides, Map<String, String> systemProperties) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        // What the jar's manifest grants Hazelcast (see pom.xml): without it Hazelcast warns and runs slower.
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.management/sun.management=ALL-UNNAMED",
        "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"));
    systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("surge.Main");
    command.addAll(TestNode.arguments(httpPort, overrides, TestNode.replicas()));
    Path log = Path.of("target", "node-" + name + ".log");
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder(command).directory(new File("."))
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(TestNode.environment());
      return new NodeProcess(name, httpPort, builder.start(), log);
    } catch (IOException e) {
      throw new IllegalStateException("could not start node " + name, e);
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** {@code SIGSTOP}: the JVM freezes, sockets stay open, nothing answers (a long GC pause or a starved VM). */
  public void pause() {
    signal("STOP");
    paused = true;
  }

  /** {@code SIGCONT}. */
  public void resume() {
    signal("CONT");
    paused = false;
  }

  /** {@code SIGKILL}: no shutdown hook runs, the node vanishes from the cluster without leaving it. */
  public void kill() {
    if (paused) resume();
    process.destroyForcibly();
    waitFor(10);
  }

  /** Resumes the process if paused and ends it (SIGTERM, then SIGKILL after 10 s). Safe to call twice. */
  public void destroy() {
    if (!process.isAlive()) return;
    if (paused) resume();
    process.destroy();
    if (!waitFor(10)) {
      process.destroyForcibly();
      waitFor(10);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: this is the hook running
    }
  }

  /** Waits until {@code GET /health/ready} answers 200 (or fails, naming the log, if the process ends or time runs out). */
  public void awaitReady(Client client, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      if (!process.isAlive()) throw new AssertionError("node " + name + " exited with " + process.exitValue() + "; see " + log);
      try {
        if (client.get("/health/ready").statusCode() == 200) return;
      } catch (Exception notYet) { // connection refused comes as a checked exception through await()
        // not listening yet
      }
      if (System.currentTimeMillis() > deadline) throw new AssertionError("node " + name + " not ready after " + timeoutMs + " ms; see " + log);
      Wait.sleep(200);
    }
  }

  /** The node's own view of the cluster ({@code GET /health/cluster}). */
  public static JsonObject clusterView(Client client) {
    return client.get("/health/cluster").bodyAsJsonObject();
  }

  private void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new AssertionError("kill -" + signal + " failed");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private boolean waitFor(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

}
