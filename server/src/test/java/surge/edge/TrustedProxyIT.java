package surge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * {@code edge.trustedProxies}: only the listed proxies may name a client in {@code ratelimit.trustedProxyHeader} (and
 * the last line of that header counts, the one the proxy added), and only they are exempt from the per-address cap.
 */
@ExtendWith(VertxExtension.class)
class TrustedProxyIT {
  static final String PROXY = "127.0.0.2";
  static TestNode.Started node;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("edge.trustedProxies", PROXY, "ratelimit.trustedProxyHeader", "X-Forwarded-For",
        "ratelimit.reads", "3/60", "edge.maxConnectionsPerAddress", "5", "events.relay", "false"));
    node.node().services().limiter().ready().await();
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  static int status(String from, String forwardedLines) throws Exception {
    return Raw.get(from, node.port(), "/api/tags", forwardedLines).status();
  }

  @Test
  void anotherPeerCannotPickItsAddressByHeader() throws Exception {
    String from = "127.0.0.3";
    for (int i = 0; i < 3; i++) assertEquals(200, status(from, "X-Forwarded-For: " + UUID.randomUUID() + "\r\n"));
    assertEquals(429, status(from, "X-Forwarded-For: " + UUID.randomUUID() + "\r\n"), "limited as its own address");
  }

  @Test
  void theProxysOwnLastLineNamesTheClient() throws Exception {
    String client = "198.51.100." + (int) (Math.random() * 200);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, status(PROXY, "X-Forwarded-For: forged-" + i + "\r\nX-Forwarded-For: " + client + "\r\n"));
    }
    assertEquals(429, status(PROXY, "X-Forwarded-For: forged-x\r\nX-Forwarded-For: " + client + "\r\n"),
        "forged lines before the proxy's do not make a new client");
    assertEquals(200, status(PROXY, "X-Forwarded-For: " + client + "1\r\n"), "another client behind the proxy");
  }

  @Test
  void theProxyIsNotHeldToThePerAddressCap() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) held.add(Raw.connect(PROXY, node.port()));
      for (int i = 0; i < 10; i++) held.add(Raw.connect("127.0.0.4", node.port()));
      Eventually.until("connections counted", Duration.ofSeconds(5), () -> node.node().services().edge().open() >= 15);
      int proxyOpen = 0;
      int otherOpen = 0;
      for (int i = 0; i < 20; i++) {
        boolean open = !Raw.closedNow(held.get(i));
        if (i < 10 && open) proxyOpen++;
        if (i >= 10 && open) otherOpen++;
      }
      assertEquals(10, proxyOpen, "the proxy carries many clients");
      assertEquals(5, otherOpen, "another address keeps its share");
    } finally {
      Raw.closeAll(held);
    }
  }
}
