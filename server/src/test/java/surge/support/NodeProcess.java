package surge.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Surge node in a process of its own ({@code java -cp <the test class path> surge.Main ...}, from the repository
 * directory), configured like {@link TestNode}'s nodes (same environment defaults and overrides), so a test can pause
 * it ({@code SIGSTOP}/{@code SIGCONT}) or kill it ({@code SIGKILL}) as a real node would be.
 *
 * <p>Its output goes to {@code target/node-<name>.log}. {@link #destroy} resumes a paused process before ending it, so
 * a test never leaves a stopped JVM behind; a shutdown hook of the test JVM does the same if the test never gets to it.
 */
public final class NodeProcess {
  /** The line a node logs once it serves, text or JSON: {@code Surge serving on <host>:<port> ...}. */
  private static final Pattern SERVING = Pattern.compile("Surge serving on [^\\s:]+:(\\d+)");
  private final String name;
  private volatile int httpPort = -1;
  private final Process process;
  private final Path log;
  private final Thread hook;
  private volatile boolean paused;

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.hook = new Thread(this::destroy, "destroy-node-" + name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts a node on a port of its choosing ({@code http.port=0}) with the suite's overrides plus {@code overrides};
   * {@code systemProperties} go to its JVM ({@code -Dkey=value}, e.g. Hazelcast properties that have no Surge key).
   * Returns at once; {@link #awaitReady} learns the port from the node's log.
   */
  public static NodeProcess start(String name, Map<String, String> overrides, Map<String, String> systemProperties) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        // What the jar's manifest grants Hazelcast (see server/pom.xml): without it Hazelcast warns and runs slower.
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.management/sun.management=ALL-UNNAMED",
        "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"));
    systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("surge.Main");
    command.addAll(TestNode.arguments(0, overrides, TestNode.replicas()));
    Path log = Path.of("target", "node-" + name + ".log");
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder(command).directory(new File("."))
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(TestNode.environment());
      return new NodeProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new IllegalStateException("could not start node " + name, e);
    }
  }

  /** The port the node reported it serves on; fails before {@link #awaitReady}. */
  public int httpPort() {
    if (httpPort < 0) throw new IllegalStateException("node " + name + " has not reported its port yet: awaitReady first");
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

  /**
   * Waits until the node's log says which port it serves on, then until {@code GET /health/ready} answers 200 there (or
   * fails, naming the log, if the process ends or time runs out). Returns a client of that port.
   */
  public Client awaitReady(Vertx vertx, long timeoutMs) {
    Duration timeout = Duration.ofMillis(timeoutMs);
    httpPort = Eventually.value("node " + name + " reporting its port (see " + log + ")", timeout, Duration.ofMillis(200),
        this::reportedPort, port -> port > 0);
    Client client = new Client(vertx, httpPort);
    Eventually.until("node " + name + " ready (see " + log + ")", timeout, Duration.ofMillis(200),
        () -> alive("ready") && client.get("/health/ready").statusCode() == 200);
    return client;
  }

  /** The port of the node's "serving" log line; -1 before it. */
  private int reportedPort() {
    alive("serving");
    try {
      Matcher serving = SERVING.matcher(Files.readString(log));
      return serving.find() ? Integer.parseInt(serving.group(1)) : -1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails at once, naming the log, if the process has ended before it got to {@code what}. */
  private boolean alive(String what) {
    if (!process.isAlive()) {
      throw new AssertionError("node " + name + " exited with " + process.exitValue() + " before " + what + "; see " + log);
    }
    return true;
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
