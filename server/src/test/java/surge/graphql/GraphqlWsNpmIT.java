package surge.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.TestNode;
import surge.support.Eventually;

/**
 * The reference client of the protocol, npm's {@code graphql-ws} (with {@code ws} on Node), against a node:
 * {@code server/src/test/node/graphql-ws} is installed into {@code target/} with {@code npm install} (the versions pinned in
 * its package.json) and run once per case. Needs {@code node} and {@code npm} on the PATH.
 */
class GraphqlWsNpmIT {
  static final Path SOURCE = Path.of("server/src/test/node/graphql-ws");
  static final Path INSTALLED = Path.of("target/graphql-ws-client");
  static Vertx vertx;
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start() throws IOException, InterruptedException {
    Files.createDirectories(INSTALLED);
    for (String file : List.of("package.json", "subscribe.mjs")) {
      Files.copy(SOURCE.resolve(file), INSTALLED.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
        .directory(INSTALLED.toFile()).redirectErrorStream(true).redirectOutput(new File("target/graphql-ws-npm.log"))
        .start();
    assertTrue(npm.waitFor(180, TimeUnit.SECONDS), "npm install within 180 s");
    assertEquals(0, npm.exitValue(), "npm install failed: see target/graphql-ws-npm.log");
    vertx = Vertx.vertx();
    node = TestNode.start(vertx);
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (vertx != null) vertx.close().await();
  }

  @Test
  void theNpmClientReceivesACommentWrittenThroughRest() throws IOException {
    JsonObject author = client.register("npm-a");
    String slug = client.article(author.getString("token"), "Npm " + Client.unique("n")).getString("slug");
    String reader = client.register("npm-r").getString("token");
    try (Script script = Script.run(node.port(), reader,
        "subscription($s: String!) { commentAdded(slug: $s) { body author { username } } }",
        new JsonObject().put("s", slug))) {
      assertEquals(true, script.next(20_000).getBoolean("ready"), "connection_ack");
      // the subscribe message follows the ack: comment until the subscription has seen one
      String fan = client.register("npm-f").getString("token");
      JsonObject[] got = new JsonObject[1];
      Eventually.until("a comment reaches the npm client", java.time.Duration.ofMillis(30_000), () -> {
        assertEquals(201, client.post("/api/articles/" + slug + "/comments", fan,
            new JsonObject().put("comment", new JsonObject().put("body", "from REST"))).statusCode());
        got[0] = script.poll(500);
        return got[0] != null;
      });
      JsonObject comment = got[0].getJsonObject("next").getJsonObject("data").getJsonObject("commentAdded");
      assertEquals("from REST", comment.getString("body"), got[0].encode());
      assertEquals(0, script.exitCode(10_000));
    }
  }

  @Test
  void theNpmClientSeesABadTokenRefusedWith4403() throws IOException {
    try (Script script = Script.run(node.port(), "not-a-jwt", "subscription { followerAdded { username } }", null)) {
      JsonObject line = script.next(20_000);
      Object code = line.containsKey("closed") ? line.getValue("closed") : line.getValue("error");
      assertEquals("4403", String.valueOf(code), line.encode());
    }
  }

  /** {@code node subscribe.mjs}, its stdout lines as JSON. */
  private static final class Script implements AutoCloseable {
    final Process process;
    final BlockingQueue<JsonObject> lines = new LinkedBlockingQueue<>();

    private Script(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) if (line.startsWith("{")) lines.add(new JsonObject(line));
        } catch (IOException ignored) {
          // the process ended
        }
      }, "npm-client-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    static Script run(int port, String token, String query, JsonObject variables) throws IOException {
      List<String> command = new java.util.ArrayList<>(List.of("node", "subscribe.mjs",
          "ws://127.0.0.1:" + port + "/graphql", token, query));
      if (variables != null) command.add(variables.encode());
      return new Script(new ProcessBuilder(command).directory(INSTALLED.toFile())
          .redirectError(new File("target/graphql-ws-client.err")).start());
    }

    JsonObject poll(long ms) {
      try {
        return lines.poll(ms, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    JsonObject next(long ms) {
      JsonObject line = poll(ms);
      if (line == null) throw new AssertionError("the npm client printed nothing within " + ms + " ms");
      return line;
    }

    int exitCode(long ms) {
      try {
        assertTrue(process.waitFor(ms, TimeUnit.MILLISECONDS), "the npm client exits");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
