package surge.cluster;

import java.util.List;
import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;

/** The node's Vert.x instance ({@code vertx.*}); {@link Transports} turns the name into Netty's transport. */
@Doc("The node's Vert.x instance ([operations.md](operations.md#network-transport)).")
public record VertxConfig(
    @Doc("Netty transport of every socket of the node (HTTP, PostgreSQL, Redis, event bus): `epoll`, `io_uring` or"
        + " `nio`. One the host refuses (another CPU, an old kernel, a container profile that forbids io_uring) falls"
        + " back to the next (io_uring, epoll, NIO), with a warning.")
    String transport) implements Checked {

  static final List<String> NAMES = List.of("io_uring", "epoll", "nio");

  @Override
  public void check() {
    if (!NAMES.contains(transport)) {
      throw ConfigException.key("vertx.transport", "expected one of " + String.join(", ", NAMES) + ", got '" + transport + "'");
    }
  }
}
