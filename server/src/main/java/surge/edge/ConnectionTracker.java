package surge.edge;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Locale;

/**
 * What one HTTP verticle instance hands the edge: its server's new connections (to admit and follow), its HTTP/2
 * requests, and failures before a connection exists. The state itself lives per event loop ({@link LoopConnections})
 * and node-wide ({@link ConnectionGuard}); a request costs no timer, only a state change and a timestamp.
 *
 * <p>The Netty channel behind a Vert.x connection is reached through {@code io.vertx.core.net.impl.ConnectionBase}, a
 * Vert.x-internal class: the edge tests fail if a Vert.x upgrade moves it.
 */
public final class ConnectionTracker {
  /** What a connection is doing, as the operator view and the metrics show it. */
  public enum State {
    /** no request in progress: between requests on a keep-alive connection, or new and silent */
    IDLE,
    /** part of a request head has arrived */
    READING_HEAD,
    /** the head is in, the body is arriving */
    READING_BODY,
    /** the request is in, its response is being made or sent */
    IN_FLIGHT,
    /** a long-lived response (server-sent events) */
    STREAMING;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final ConnectionGuard guard;

  public ConnectionTracker(ConnectionGuard guard) {
    this.guard = guard;
  }

  public void start() {
    guard.instanceStarted();
  }

  public void stop() {
    guard.instanceStopped();
  }

  /**
   * Puts the node's accept gate in front of {@code server} once it listens: from then on connections are admitted
   * (and refused) on the acceptor thread. False when this Vert.x does not let it in; admission stays here then.
   */
  public boolean gate(HttpServer server) {
    return AcceptGate.install(server, guard);
  }

  /** The server's connection handler (on the connection's event loop): keep the connection and follow it, or close it. */
  public void accepted(HttpConnection connection) {
    connection.exceptionHandler(failure -> guard.log.event("connection_error", "connection failed",
        hostOf(connection.remoteAddress()) + ": " + failure.getClass().getSimpleName() + " " + failure.getMessage()));
    Channel channel = connection instanceof ConnectionBase base ? base.channel() : null;
    if (channel == null || !channel.eventLoop().inEventLoop()) return; // nothing to follow it by
    String admitted = channel.attr(AcceptGate.ADMITTED).get();
    boolean gated = admitted != null;
    String address = gated ? admitted : hostOf(connection.remoteAddress());
    LoopConnections loop = guard.loop(channel.eventLoop());
    if (!gated && guard.admit(address, loop::makeRoom) != null) {
      connection.close();
      return;
    }
    loop.track(connection, channel, address, gated);
  }

  /** Called for every request before the router: HTTP/2 streams move their connection's state (HTTP/1.x needs nothing). */
  public void request(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_2) return;
    if (!(request.connection() instanceof ConnectionBase base) || !base.channel().eventLoop().inEventLoop()) return;
    guard.loop(base.channel().eventLoop()).http2Request(base.channel(), request);
  }

  /** The server's exception handler: failures before a connection exists, such as a TLS handshake that failed. */
  public void failedBeforeAccept(Throwable failure) {
    guard.log.event("handshake_failed", "connections failed before their HTTP started (TLS handshake)",
        failure.getClass().getSimpleName() + " " + failure.getMessage());
  }

  private static String hostOf(SocketAddress peer) {
    return peer == null ? null : peer.hostAddress();
  }
}
