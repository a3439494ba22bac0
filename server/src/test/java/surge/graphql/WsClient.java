package surge.graphql;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import surge.support.Eventually;

/**
 * A test client speaking graphql-transport-ws over Vert.x's WebSocket client, used from the JUnit thread: messages
 * the server sends are queued and read with a timeout; the close code the server sent is kept.
 */
final class WsClient implements AutoCloseable {
  static final String PROTOCOL = "graphql-transport-ws";
  private final WebSocketClient client;
  private final WebSocket ws;
  private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  private volatile Short closeCode;
  private volatile String closeReason;

  private WsClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> received.add(new JsonObject(text)));
    ws.closeHandler(v -> {
      closeReason = ws.closeReason() == null ? "" : ws.closeReason();
      closeCode = ws.closeStatusCode() == null ? -1 : ws.closeStatusCode();
    });
  }

  static WsClient connect(Vertx vertx, int port) {
    WebSocketClient client = vertx.createWebSocketClient();
    return new WsClient(client, within(handshake(client, port)));
  }

  /** The status of a refused upgrade (e.g. 503 when the node is full); fails if the upgrade succeeds. */
  static int refusedStatus(Vertx vertx, int port) {
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      WebSocket ws = within(handshake(client, port));
      ws.close().await();
      throw new AssertionError("the upgrade was accepted");
    } catch (UpgradeRejectedException refused) {
      return refused.getStatus();
    } finally {
      client.close().await();
    }
  }

  private static WebSocket within(Future<WebSocket> handshake) {
    try {
      return handshake.await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no WebSocket handshake within 10 s");
    }
  }

  private static Future<WebSocket> handshake(WebSocketClient client, int port) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/graphql")
        .addSubProtocol(PROTOCOL));
  }

  String subProtocol() {
    return ws.subProtocol();
  }

  void send(JsonObject message) {
    ws.writeTextMessage(message.encode()).await();
  }

  /** {@code connection_init} with {@code Authorization: Token <token>} (none when null); the reply. */
  JsonObject init(String token) {
    JsonObject payload = new JsonObject();
    if (token != null) payload.put("Authorization", "Token " + token);
    send(new JsonObject().put("type", "connection_init").put("payload", payload));
    return next(5_000);
  }

  /** {@link #init} that must be acknowledged. */
  WsClient ready(String token) {
    JsonObject reply = init(token);
    if (!"connection_ack".equals(reply.getString("type"))) throw new AssertionError("not acked: " + reply.encode());
    return this;
  }

  void subscribe(String id, String query, JsonObject variables) {
    JsonObject payload = new JsonObject().put("query", query);
    if (variables != null) payload.put("variables", variables);
    send(new JsonObject().put("type", "subscribe").put("id", id).put("payload", payload));
  }

  void complete(String id) {
    send(new JsonObject().put("type", "complete").put("id", id));
  }

  /** The next message the server sent (pings answered and skipped); fails after {@code timeoutMs}. */
  JsonObject next(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      JsonObject message = poll(Duration.ofMillis(Math.max(left, 0)));
      if (message == null) {
        throw new AssertionError("no message within " + timeoutMs + " ms" + (closeCode == null ? "" : "; closed " + closeCode));
      }
      if ("ping".equals(message.getString("type"))) {
        send(new JsonObject().put("type", "pong"));
        continue;
      }
      return message;
    }
  }

  /** The next message or null when none came within {@code wait}. */
  JsonObject poll(Duration wait) {
    try {
      return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits for the server to close the socket; its close code. */
  int awaitClose(long timeoutMs) {
    Eventually.until("the server closes the socket", java.time.Duration.ofMillis(timeoutMs), () -> closeCode != null);
    return closeCode;
  }

  String closeReason() {
    return closeReason;
  }

  boolean isClosed() {
    return closeCode != null;
  }

  @Override
  public void close() {
    if (!ws.isClosed()) ws.close().await();
    client.close().await();
  }
}
