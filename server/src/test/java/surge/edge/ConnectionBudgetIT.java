package surge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.edge.ConnectionGuard.Closing;
import surge.edge.ConnectionGuard.Refusal;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * The connection budget against floods: a cap per client address, a node-wide cap that makes room by closing the
 * oldest idle connections, refusals at accept when nothing can make room, a shorter idle bound under pressure, and a
 * start-up that refuses caps which cannot fit.
 */
@ExtendWith(VertxExtension.class)
class ConnectionBudgetIT {
  static final int CAP = 40;
  static final int PER_ADDRESS = 10;
  static TestNode.Started node;
  static TestNode.Started pressured;
  final List<Socket> sockets = new ArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("edge.maxConnections", Integer.toString(CAP),
        "edge.maxConnectionsPerAddress", Integer.toString(PER_ADDRESS), "edge.pressurePercent", "100",
        "events.relay", "false"));
    pressured = TestNode.start(vertx, Map.of("edge.maxConnections", Integer.toString(CAP), "edge.pressurePercent", "50",
        "edge.pressureIdleTimeoutMs", "500", "edge.maxConnectionsPerAddress", "0", "events.relay", "false"));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (pressured != null) pressured.stop();
  }

  @AfterEach
  void closeSockets() {
    Raw.closeAll(sockets);
    Eventually.until("connections released", Duration.ofSeconds(10), () -> node.node().services().edge().open() == 0
        && pressured.node().services().edge().open() == 0);
  }

  static ConnectionGuard guard() {
    return node.node().services().edge();
  }

  Socket open(TestNode.Started target, String from) throws IOException {
    Socket s = Raw.connect(from, target.port());
    sockets.add(s);
    return s;
  }

  @Test
  void oneAddressKeepsItsShareAndTheRestIsClosedAtAccept() throws Exception {
    long before = guard().refused(Refusal.PER_ADDRESS);
    List<Socket> flood = new ArrayList<>();
    for (int i = 0; i < 3 * PER_ADDRESS; i++) flood.add(open(node, "127.0.0.2"));
    Eventually.until("refusals counted", Duration.ofSeconds(5),
        () -> guard().refused(Refusal.PER_ADDRESS) - before == 2 * PER_ADDRESS);
    int closed = 0;
    for (Socket s : flood) if (Raw.closedNow(s)) closed++;
    assertEquals(2 * PER_ADDRESS, closed, "all but the address's share closed");
    assertEquals(PER_ADDRESS, guard().open());
    Raw.Answer ordinary = Raw.get("127.0.0.1", node.port(), "/api/tags");
    assertEquals(200, ordinary.status(), "another address is served (" + ordinary.millis() + " ms)");
  }

  @Test
  void aFullNodeClosesItsOldestIdleConnectionsToLetNewClientsIn() throws Exception {
    long before = guard().closed(Closing.EVICTED);
    List<Socket> flood = new ArrayList<>();
    for (int i = 0; i < 2 * CAP; i++) {
      flood.add(open(node, "127.0.0." + (20 + i / PER_ADDRESS)));
      Eventually.pause(5); // accept order = age: distinct ages are the behaviour under test
    }
    Eventually.until("the flood made room by eviction", Duration.ofSeconds(5),
        () -> guard().closed(Closing.EVICTED) - before >= CAP);
    assertTrue(guard().open() <= CAP + 2, "the budget holds: " + guard().open());
    assertTrue(Raw.closedNow(flood.get(0)), "the oldest went first");
    assertFalse(Raw.closedNow(flood.get(flood.size() - 1)), "the newest stays");
    Raw.Answer ordinary = Raw.get("127.0.0.1", node.port(), "/api/tags");
    assertEquals(200, ordinary.status(), "a new client gets in (" + ordinary.millis() + " ms)");
  }

  @Test
  void whenNothingCanMakeRoomNewConnectionsAreRefusedAtAccept(Vertx vertx) throws Exception {
    String token = new Client(vertx, node.port()).register("budget").getString("token");
    // the registration's idle keep-alive connection is the first to make room for the streams below
    for (int i = 0; i < CAP; i++) {
      Socket s = open(node, "127.0.0." + (40 + i / PER_ADDRESS));
      Raw.send(s, "GET /api/stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nAuthorization: Token "
          + token + "\r\n\r\n");
      assertTrue(head(s).startsWith("HTTP/1.1 200"), "stream " + i + " open");
    }
    assertEquals(CAP, guard().inState(ConnectionTracker.State.STREAMING), "every connection streams");
    long before = guard().refused(Refusal.CAPACITY);
    Socket late = open(node, "127.0.0.1");
    assertTrue(Raw.closedWithin(late, 2_000), "no room: closed at accept");
    assertEquals(1, guard().refused(Refusal.CAPACITY) - before);
  }

  @Test
  void underPressureIdleConnectionsGetTheShortBound() throws Exception {
    ConnectionGuard g = pressured.node().services().edge();
    List<Socket> few = new ArrayList<>();
    for (int i = 0; i < CAP / 4; i++) few.add(open(pressured, "127.0.0.60"));
    Eventually.pause(2_500); // idle time passing without a close is what is asserted next
    for (Socket s : few) assertFalse(Raw.closedNow(s), "below the pressure mark the usual idle bound holds");
    long before = g.closed(Closing.EVICTED);
    List<Socket> more = new ArrayList<>();
    for (int i = 0; i < CAP / 2; i++) more.add(open(pressured, "127.0.0.61"));
    for (Socket s : few) assertTrue(Raw.closedWithin(s, 4_000), "the oldest idle ones closed under pressure: " + g.status().encode());
    assertTrue(g.closed(Closing.EVICTED) - before >= CAP / 4);
  }

  @Test
  void startUpRefusesCapsThatCannotFitTheFileLimit(Vertx vertx) {
    Throwable tooMany = assertThrows(Throwable.class,
        () -> TestNode.start(vertx, Map.of("edge.maxConnections", "9000000", "events.relay", "false")));
    assertTrue(messages(tooMany).contains("edge.maxConnections"), messages(tooMany));
    Throwable streams = assertThrows(Throwable.class, () -> TestNode.start(vertx,
        Map.of("edge.maxConnections", "100", "stream.maxConnections", "200", "events.relay", "false")));
    assertTrue(messages(streams).contains("stream.maxConnections"), messages(streams));
  }

  private static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) out.append(c.getMessage()).append(" | ");
    return out.toString();
  }

  private static String head(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    var in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) break;
      head.append((char) b);
    }
    return head.toString();
  }

}
