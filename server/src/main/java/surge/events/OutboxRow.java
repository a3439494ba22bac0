package surge.events;

/** One event waiting in a shard's outbox: its insert order, its aggregate (the Kafka key) and the envelope. */
public record OutboxRow(long seq, String aggregateType, String aggregateId, String payload) {}
