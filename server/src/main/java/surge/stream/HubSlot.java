package surge.stream;

/**
 * What a hub holds for every live connection, SSE stream or GraphQL socket alike: one of the node's
 * {@code stream.maxConnections} slots, given back exactly once however the connection ends.
 */
abstract class HubSlot {
  private boolean closed;

  final boolean closed() {
    return closed;
  }

  /** True the first time only, so a connection is counted out once however it ends. */
  final boolean markClosed() {
    if (closed) return false;
    closed = true;
    return true;
  }
}
