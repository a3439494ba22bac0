package surge.events;

/**
 * The event-bus side of domain events. After Kafka acknowledged an event, the relay that published it also
 * publishes the envelope on {@link #ADDRESS} of the (clustered) event bus, so every node learns of every event
 * once it is durable, whichever node wrote it and whichever relay carried it. Live streams filter it per user.
 *
 * <p>Message body: the envelope as JSON text, exactly as it went to Kafka (see {@link surge.db.Outbox}).
 * Delivery is best effort (a node that is down or cut off misses what was published meanwhile); Kafka is the
 * durable record.
 */
public final class LiveEvents {
  /** Published (to every node) once per event after the broker acknowledged it. */
  public static final String ADDRESS = "surge.events.live";

  private LiveEvents() {}
}
