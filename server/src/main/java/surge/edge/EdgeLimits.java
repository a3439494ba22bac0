package surge.edge;

import java.util.List;
import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/**
 * What a client may cost a node before it is cut off ({@code edge.*}): the time each phase of a request may take
 * that the client controls, how many connections the node and one client address may hold, and the HTTP/2 limits.
 * The reasons behind each default are in {@code docs/edge.md}.
 */
@Doc("What a client may cost a node before it is cut off: the time each phase of a request the client controls may"
    + " take, the connections the node and one address may hold, the HTTP/2 limits ([edge.md](edge.md)).")
public record EdgeLimits(
    @Doc("A request head must be complete this long after its first byte arrived.") @Range(min = 100, max = 600_000)
    int headTimeoutMs,
    @Doc("A connection with no request in progress, a new one that has sent nothing included, is closed after this"
        + " long.") @Range(min = 100, max = 3_600_000) int idleTimeoutMs,
    @Doc("The longest pause between two parts of a request body; also the grace at the start of a body before its rate"
        + " counts.") @Range(min = 100, max = 600_000) int bodyIdleTimeoutMs,
    @Doc("Past that grace, a body must arrive at this average rate at least; `0` checks pauses only.")
    @Range(min = 0, max = 1 << 30) int bodyMinBytesPerSecond,
    @Doc("Client connections (API, streams, WebSocket) one node holds; `0` derives the cap from the process's"
        + " open-files limit less `edge.reservedFiles`.") @Range(min = 0, max = 10_000_000) int maxConnections,
    @Doc("Connections one client address may hold at once; `0` for no cap. Addresses of `edge.trustedProxies` are"
        + " exempt.") @Range(min = 0, max = 10_000_000) int maxConnectionsPerAddress,
    @Doc("Addresses of reverse proxies in front of the node, comma-separated: the per-address cap skips them, and only"
        + " their requests may name a client in `ratelimit.trustedProxyHeader`; empty trusts that header from anyone.")
    List<String> trustedProxies,
    @Doc("Descriptors kept out of the connection budget for the node's own use (pools, Redis, Kafka, the cluster, class"
        + " path, logs); `0` derives it from the pools.") @Range(min = 0, max = 10_000_000) int reservedFiles,
    @Doc("Once this share of the connection budget is in use, idle and slow connections get"
        + " `edge.pressureIdleTimeoutMs` instead of their usual bounds.") @Range(min = 1, max = 100) int pressurePercent,
    @Doc("The idle and head bound under pressure.") @Range(min = 100, max = 600_000) int pressureIdleTimeoutMs,
    @Doc("A TLS handshake must finish within this long.") @Range(min = 100, max = 600_000) int tlsHandshakeTimeoutMs,
    @Doc("Streams one HTTP/2 connection may have open.") @Range(min = 1, max = 10_000) int http2MaxConcurrentStreams,
    @Doc("Decoded size of one HTTP/2 header list, the HPACK bomb bound.") @Range(min = 1024, max = 1 << 24)
    int http2MaxHeaderListBytes,
    @Doc("Stream resets a client may send per window before its connection is closed, the rapid-reset bound"
        + " (CVE-2023-44487).") @Range(min = 1, max = 1_000_000) int http2MaxResetsPerWindow,
    @Doc("That window.") @Range(min = 1000, max = 3_600_000) int http2ResetWindowMs,
    @Doc("Body bytes a client may send on one stream before the node acknowledges them (HTTP/2 initial window).")
    @Range(min = 65_535, max = Integer.MAX_VALUE) int http2WindowBytes,
    @Doc("Connections the kernel queues for the node before it accepts them; the kernel caps it at"
        + " `net.core.somaxconn`.") @Range(min = 1, max = 1 << 20) int acceptBacklog) implements Checked {

  public EdgeLimits {
    trustedProxies = List.copyOf(trustedProxies);
  }

  @Override
  public void check() {
    for (String proxy : trustedProxies) {
      if (!proxy.matches("[0-9A-Fa-f:.]+")) throw ConfigException.key("edge.trustedProxies", "'" + proxy + "' is not an IP address");
    }
  }

  public boolean trustedProxy(String address) {
    return address != null && trustedProxies.contains(address);
  }

  /** Whether a request from {@code peer} may name its client in a forwarding header: with no list, anyone may. */
  public boolean mayForward(String peer) {
    return trustedProxies.isEmpty() || trustedProxy(peer);
  }
}
