package surge.support;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Ports a test must name before anything listens on them. Servers of the suite listen on port 0 and report the port
 * they got ({@code TestNode.Started.port()}, {@code NodeProcess.httpPort()}, {@code HttpServer.actualPort()}); this is
 * only for what cannot: the members list of a Hazelcast cluster, a port of a process that must be told it in advance
 * (a container's, read by its health check), a TLS redirect port (0 means none there), a port where nothing may listen.
 *
 * <p>A port picked now may be taken before it is bound. To make that rare, ports come from below the kernel's
 * ephemeral range (32768 and up on Linux), where no port-0 bind and no outgoing connection of any process lands; each
 * is checked free, and none is handed out twice in one JVM. {@link #retrying} starts again with new ports when the
 * start failed to bind one anyway.
 */
public final class Ports {
  private static final int LOW = 30_000;
  private static final int HIGH = 32_700;
  private static final int ATTEMPTS = 3;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /** A port nothing listens on now, not handed out before in this JVM. */
  public static int free() {
    for (int tries = 0; tries < 1_000; tries++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      if (HANDED_OUT.add(port)) {
        if (bindable(port)) return port;
      }
    }
    throw new IllegalStateException("no free port in " + LOW + "-" + HIGH);
  }

  /**
   * Runs {@code start} with {@code count} distinct free ports; if it fails to bind one of them (someone took it in
   * between), runs it again with new ports, up to 3 times.
   */
  public static <T> T retrying(int count, Function<List<Integer>, T> start) {
    for (int attempt = 1; ; attempt++) {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < count; i++) ports.add(free());
      try {
        return start.apply(ports);
      } catch (Exception e) { // also a BindException that Future.await() rethrows as it is
        if (attempt == ATTEMPTS || !bindFailure(e)) throw e;
      }
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static boolean bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) return true;
      if (t.getMessage() != null && t.getMessage().contains("Address already in use")) return true;
    }
    return false;
  }
}
