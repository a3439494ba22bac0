package surge.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpServer;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission on the acceptor thread, the moment a connection is accepted and before it is handed to an event loop. A
 * flood that reconnects as fast as it is refused would otherwise queue accepted sockets — each a descriptor — faster
 * than the event loops can refuse them, until {@code accept()} fails with "Too many open files". Here a refusal costs
 * one close of a socket that never reached a loop, and the count includes connections still on their way to one (and
 * TLS connections still in their handshake).
 *
 * <p>Vert.x offers no hook at accept, so the gate goes into the listening channel's Netty pipeline, reached through
 * Vert.x-internal fields ({@code HttpServerImpl.tcpServer → NetServerImpl.actualServer → bindFuture}). If a Vert.x
 * upgrade moves them the node still runs, admitting at the connection handler instead (and says so once at start).
 */
@ChannelHandler.Sharable
final class AcceptGate extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(AcceptGate.class);
  private static final String NAME = "surge-edge-gate";
  /** Set on a connection the gate admitted: it is released when the channel closes, whatever happens in between. */
  static final AttributeKey<String> ADMITTED = AttributeKey.valueOf("surge.edge.admitted");

  private final ConnectionGuard guard;

  private AcceptGate(ConnectionGuard guard) {
    this.guard = guard;
  }

  /** Puts the gate in front of {@code server}'s listening channel, once (every instance of a node shares it). */
  static boolean install(HttpServer server, ConnectionGuard guard) {
    Channel listening = listeningChannel(server);
    if (listening == null) return false;
    synchronized (AcceptGate.class) {
      if (listening.pipeline().get(NAME) == null) listening.pipeline().addFirst(NAME, new AcceptGate(guard));
    }
    return true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Channel child)) {
      ctx.fireChannelRead(msg);
      return;
    }
    String address = hostOf(child.remoteAddress());
    if (guard.gate(address) != null) {
      child.unsafe().closeForcibly(); // never registered with a loop: just the descriptor to close
      return;
    }
    child.attr(ADMITTED).set(address);
    child.closeFuture().addListener(closed -> guard.release(address));
    ctx.fireChannelRead(child);
  }

  private static String hostOf(SocketAddress address) {
    return address instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress() : null;
  }

  private static Channel listeningChannel(HttpServer server) {
    try {
      Object tcp = field(server, "tcpServer");
      Object main = field(tcp, "actualServer");
      Object bound = field(main == null ? tcp : main, "bindFuture");
      if (bound instanceof io.vertx.core.Future<?> future && future.result() instanceof Channel channel) return channel;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("edge: cannot reach the listening channel of this Vert.x ({}); connections are admitted at the"
          + " connection handler instead, after they reached an event loop", e.toString());
    }
    return null;
  }

  private static Object field(Object target, String name) throws ReflectiveOperationException {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
      } catch (NoSuchFieldException next) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(name);
  }
}
