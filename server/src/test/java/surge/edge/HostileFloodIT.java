package surge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Eventually;
import surge.support.NodeProcess;

/**
 * 20,000 hostile connections against a node in a process of its own (its own open-files limit, as in production):
 * two client processes, {@link FloodClient}, from 127.0.0.2–127.0.0.9, half silent and half slowloris, reconnecting
 * whenever the node closes one. Throughout, an ordinary client on 127.0.0.1 is answered; the node never reaches its
 * file limit; afterwards its connections and descriptors return to their baseline.
 */
@ExtendWith(VertxExtension.class)
class HostileFloodIT {
  static final int SECONDS = 25;

  @Test
  void twentyThousandHostileConnectionsLeaveOrdinaryClientsServed(Vertx vertx) throws Exception {
    NodeProcess node = NodeProcess.start("flood", Map.of("events.relay", "false", "log.access", "false"), Map.of());
    List<Process> floods = new ArrayList<>();
    try {
      node.awaitReady(vertx, 90_000);
      int port = node.httpPort();
      long startedAt = System.currentTimeMillis();
      int baselineFiles = openFiles(node.pid());
      floods.add(flood(port, "127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5"));
      floods.add(flood(port, "127.0.0.6,127.0.0.7,127.0.0.8,127.0.0.9"));
      List<Long> latencies = new ArrayList<>();
      JsonObject busiest = null;
      int peakFiles = 0;
      long end = System.currentTimeMillis() + SECONDS * 1000L - 2000;
      while (System.currentTimeMillis() < end) {
        Raw.Answer answer = Raw.get("127.0.0.1", port, "/api/tags");
        assertEquals(200, answer.status(), "the ordinary client is answered: " + answer.head());
        latencies.add(answer.millis());
        JsonObject edge = edgeView(port);
        if (busiest == null || edge.getInteger("open") > busiest.getInteger("open")) busiest = edge;
        if (latencies.size() % 5 == 0) peakFiles = Math.max(peakFiles, openFiles(node.pid()));
        Eventually.pause(100); // paces the sampling over the flood's fixed window; nothing is awaited
      }
      for (Process p : floods) {
        assertTrue(p.waitFor(SECONDS + 30, TimeUnit.SECONDS), "flood client stopped");
        System.out.println("edge: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
      }
      System.out.println("edge: ordinary client latencies in order (ms): " + latencies);
      Collections.sort(latencies);
      System.out.printf("edge: ordinary client, %d requests during the flood: p50 %d ms, p99 %d ms, max %d ms%n",
          latencies.size(), latencies.get(latencies.size() / 2), latencies.get(latencies.size() * 99 / 100),
          latencies.get(latencies.size() - 1));
      System.out.println("edge: busiest view during the flood: " + busiest.encode());
      System.out.println("edge: node descriptors: baseline " + baselineFiles + ", peak " + peakFiles);
      assertTrue(busiest.getInteger("open") >= 4_000, "the flood was held, not just refused: " + busiest.encode());
      assertTrue(busiest.getJsonObject("refused").getLong("per_address") > 0, busiest.encode());
      assertTrue(peakFiles < busiest.getLong("fileLimit"), "never at the open-files limit");

      Eventually.until("the node's connections back at their baseline", Duration.ofSeconds(30),
          () -> edgeView(port).getInteger("open") <= 2);
      Eventually.until("the node's descriptors back at their baseline", Duration.ofSeconds(30),
          () -> openFiles(node.pid()) <= baselineFiles + 10);
      String log = Files.readString(node.log());
      assertFalse(log.contains("Too many open files"), "no descriptor exhaustion in " + node.log());
      String during = log.lines().filter(l -> l.contains("surge.edge")).reduce("", (a, b) -> a + b + "\n");
      for (String kind : List.of("head_timeout", "refused_per_address")) {
        long lines = during.lines().filter(l -> l.contains("(" + kind)).count();
        long allowed = 2 + (System.currentTimeMillis() - startedAt) / EdgeLog.PERIOD_MS;
        assertTrue(lines >= 1 && lines <= allowed, kind + ": " + lines + " warning lines for thousands of events");
      }
      assertFalse(log.contains("\tat io.netty"), "no stack trace per connection");
    } finally {
      floods.forEach(Process::destroyForcibly);
      node.destroy();
    }
  }

  private static JsonObject edgeView(int port) {
    try (var socket = Raw.connect("127.0.0.1", port)) {
      Raw.send(socket, "GET /health/edge HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      socket.setSoTimeout(15_000);
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new JsonObject(text.substring(text.indexOf("\r\n\r\n") + 4));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Process flood(int port, String from) throws IOException {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-cp", System.getProperty("java.class.path"), FloodClient.class.getName(), Integer.toString(port), from,
        "10000", Integer.toString(SECONDS));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static int openFiles(long pid) {
    try (var entries = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return (int) entries.count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
