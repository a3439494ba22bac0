package surge.stream;

import java.util.function.Consumer;

/**
 * A live-event subscriber that is not an SSE stream: one GraphQL WebSocket ({@code surge.graphql}). It holds one of
 * the node's {@code stream.maxConnections} slots from {@link StreamHub#tap} until {@link #close}, and receives every
 * event its hub receives once {@link StreamHub#listen} gave it a handler: which events concern it is the
 * subscriber's business (its subscriptions' filters), whom its user follows is the hub's (kept up to date from the
 * user's own follows, as for a stream). Touched on its hub's event loop only.
 */
public final class LiveTap extends HubSlot {
  private final StreamHub hub;
  final Runnable onStop;
  final Runnable onHeartbeat;
  long user = -1;
  long[] followees = Followees.NONE;
  Consumer<StreamEvent> handler;

  LiveTap(StreamHub hub, Runnable onStop, Runnable onHeartbeat) {
    this.hub = hub;
    this.onStop = onStop;
    this.onHeartbeat = onHeartbeat;
  }

  /** Whether the tap's user follows {@code author} now (false for an anonymous tap). */
  public boolean follows(long author) {
    return Followees.contains(followees, author);
  }

  /** Leaves the hub and frees the slot; idempotent. */
  public void close() {
    if (markClosed()) hub.untap(this);
  }
}
