package surge.cluster;

import io.vertx.core.transport.Transport;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the Netty transport a node runs on ({@code vertx.transport}). A performance option never stops a node: a native
 * transport this host refuses falls back to the next one down (io_uring, epoll, NIO), and the log says why.
 */
public final class Transports {
  private static final Logger log = LoggerFactory.getLogger(Transports.class);
  private static final List<Transport> DOWN = List.of(Transport.IO_URING, Transport.EPOLL, Transport.NIO);

  private Transports() {}

  /** The transport for {@code name} (one of {@link VertxConfig#NAMES}) on this host. */
  public static Transport choose(String name) {
    return choose(name, Transport::available);
  }

  /** As {@link #choose(String)}, with {@code available} standing in for the host (unit tests). */
  static Transport choose(String name, Predicate<Transport> available) {
    int from = switch (name) {
      case "io_uring" -> 0;
      case "epoll" -> 1;
      case "nio" -> 2;
      default -> throw new IllegalArgumentException("unknown transport " + name);
    };
    for (Transport transport : DOWN.subList(from, DOWN.size())) {
      if (available.test(transport)) {
        if (transport != DOWN.get(from)) {
          log.warn("transport {} is not available here ({}); using {}", name, cause(DOWN.get(from)), transport.name());
        }
        return transport;
      }
    }
    return Transport.NIO;
  }

  private static String cause(Transport transport) {
    Throwable why = transport.unavailabilityCause();
    return why == null ? "no reason given" : why.toString();
  }
}
