package surge.edge;

import java.util.List;
import surge.config.ConfigException;
import surge.config.ConfigTree;

/**
 * What a client may cost a node before it is cut off ({@code edge.*}): the time each phase of a request may take
 * that the client controls, how many connections the node and one client address may hold, and the HTTP/2 limits.
 * The reasons behind each default are in {@code docs/edge.md}.
 *
 * @param headTimeoutMs a request head must be complete this long after its first byte arrived ({@code edge.headTimeoutMs})
 * @param idleTimeoutMs a connection with no request in progress, a new one that has sent nothing included, is closed
 *     after this long ({@code edge.idleTimeoutMs})
 * @param bodyIdleTimeoutMs the longest pause between two parts of a request body; also the grace at the start of a body
 *     before its rate counts ({@code edge.bodyIdleTimeoutMs})
 * @param bodyMinBytesPerSecond past that grace, a body must have arrived at this average rate at least
 *     ({@code edge.bodyMinBytesPerSecond}); 0 checks pauses only
 * @param maxConnections client connections (API, streams, WebSocket) one node holds; 0 derives the cap from the
 *     process's open-files limit less {@code reservedFiles} ({@code edge.maxConnections})
 * @param maxConnectionsPerAddress connections one client address may hold at once; 0 for no cap. Addresses of
 *     {@code trustedProxies} are exempt ({@code edge.maxConnectionsPerAddress})
 * @param trustedProxies addresses of reverse proxies in front of the node, comma-separated: they carry many clients'
 *     connections, so the per-address cap skips them, and only their requests may name a client in
 *     {@code ratelimit.trustedProxyHeader} ({@code edge.trustedProxies}); empty trusts that header from anyone
 * @param reservedFiles descriptors kept out of the connection budget for the node's own use (database pools, Redis,
 *     Kafka, the cluster, class path, log files); 0 derives it from the pools ({@code edge.reservedFiles})
 * @param pressurePercent once this share of the connection budget is in use, idle and slow connections get
 *     {@code pressureIdleTimeoutMs} instead of their usual bounds ({@code edge.pressurePercent})
 * @param pressureIdleTimeoutMs the idle and head bound under pressure ({@code edge.pressureIdleTimeoutMs})
 * @param tlsHandshakeTimeoutMs a TLS handshake must finish within this long ({@code edge.tlsHandshakeTimeoutMs})
 * @param http2MaxConcurrentStreams streams one HTTP/2 connection may have open ({@code edge.http2MaxConcurrentStreams})
 * @param http2MaxHeaderListBytes decoded size of one HTTP/2 header list, the HPACK bomb bound
 *     ({@code edge.http2MaxHeaderListBytes})
 * @param http2MaxResetsPerWindow stream resets a client may send per window before its connection is closed, the
 *     rapid-reset bound ({@code edge.http2MaxResetsPerWindow})
 * @param http2ResetWindowSeconds that window ({@code edge.http2ResetWindowSeconds})
 * @param http2WindowBytes how many body bytes a client may send on one stream before the node acknowledges them
 *     (HTTP/2 initial window) ({@code edge.http2WindowBytes})
 * @param acceptBacklog connections the kernel queues for the node before it accepts them; the kernel caps it at
 *     {@code net.core.somaxconn} ({@code edge.acceptBacklog})
 */
public record EdgeLimits(int headTimeoutMs, int idleTimeoutMs, int bodyIdleTimeoutMs, int bodyMinBytesPerSecond,
                         int maxConnections, int maxConnectionsPerAddress, List<String> trustedProxies,
                         int reservedFiles, int pressurePercent, int pressureIdleTimeoutMs, int tlsHandshakeTimeoutMs,
                         int http2MaxConcurrentStreams, int http2MaxHeaderListBytes, int http2MaxResetsPerWindow,
                         int http2ResetWindowSeconds, int http2WindowBytes, int acceptBacklog) {

  public static EdgeLimits from(ConfigTree c) {
    List<String> proxies = c.list("edge.trustedProxies");
    for (String proxy : proxies) {
      if (!proxy.matches("[0-9A-Fa-f:.]+")) {
        throw new ConfigException("config key edge.trustedProxies (" + ConfigTree.envName("edge.trustedProxies")
            + "): '" + proxy + "' is not an IP address");
      }
    }
    return new EdgeLimits(c.integer("edge.headTimeoutMs", 100, 600_000), c.integer("edge.idleTimeoutMs", 100, 3_600_000),
        c.integer("edge.bodyIdleTimeoutMs", 100, 600_000), c.integer("edge.bodyMinBytesPerSecond", 0, 1 << 30),
        c.integer("edge.maxConnections", 0, 10_000_000), c.integer("edge.maxConnectionsPerAddress", 0, 10_000_000),
        List.copyOf(proxies), c.integer("edge.reservedFiles", 0, 10_000_000), c.integer("edge.pressurePercent", 1, 100),
        c.integer("edge.pressureIdleTimeoutMs", 100, 600_000), c.integer("edge.tlsHandshakeTimeoutMs", 100, 600_000),
        c.integer("edge.http2MaxConcurrentStreams", 1, 10_000), c.integer("edge.http2MaxHeaderListBytes", 1024, 1 << 24),
        c.integer("edge.http2MaxResetsPerWindow", 1, 1_000_000), c.integer("edge.http2ResetWindowSeconds", 1, 3600),
        c.integer("edge.http2WindowBytes", 65_535, Integer.MAX_VALUE), c.integer("edge.acceptBacklog", 1, 1 << 20));
  }

  public boolean trustedProxy(String address) {
    return address != null && trustedProxies.contains(address);
  }

  /** Whether a request from {@code peer} may name its client in a forwarding header: with no list, anyone may. */
  public boolean mayForward(String peer) {
    return trustedProxies.isEmpty() || trustedProxy(peer);
  }
}
