package surge.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.transport.Transport;
import java.util.Set;
import org.junit.jupiter.api.Test;
import surge.config.ConfigException;

class TransportsTest {

  @Test
  void aNamedTransportIsUsedWhenAvailableAndFallsOnlyDownward() {
    Set<Transport> all = Set.of(Transport.IO_URING, Transport.EPOLL, Transport.NIO);
    assertEquals(Transport.EPOLL, Transports.choose("epoll", all::contains), "epoll never climbs to io_uring");
    assertEquals(Transport.NIO, Transports.choose("nio", all::contains));
    assertEquals(Transport.IO_URING, Transports.choose("io_uring", all::contains));
    assertEquals(Transport.EPOLL, Transports.choose("io_uring", Set.of(Transport.EPOLL, Transport.NIO)::contains));
    assertEquals(Transport.NIO, Transports.choose("epoll", Set.of(Transport.NIO)::contains));
    assertEquals(Transport.NIO, Transports.choose("io_uring", Set.of(Transport.NIO)::contains));
  }

  @Test
  void anUnknownNameIsAConfigErrorNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> new VertxConfig("uring").check());
    assertTrue(e.getMessage().contains("vertx.transport") && e.getMessage().contains("SURGE_VERTX_TRANSPORT"), e.getMessage());
    for (String name : VertxConfig.NAMES) new VertxConfig(name).check();
  }

  /** The server jar carries Netty's native files for Linux x86-64: there, epoll always loads. */
  @Test
  void onLinuxX8664TheNativeFilesAreOnTheClassPath() {
    boolean linuxX64 = System.getProperty("os.name").equalsIgnoreCase("linux")
        && Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
    if (linuxX64) {
      assertTrue(Transport.EPOLL.available(), () -> "epoll: " + Transport.EPOLL.unavailabilityCause());
      assertEquals(Transport.EPOLL, Transports.choose("epoll"), "the default transport");
    }
  }
}
