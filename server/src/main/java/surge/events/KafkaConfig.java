package surge.events;

import surge.config.Doc;

/** The Kafka cluster ({@code kafka.*}): the relay publishes to it, the timeline consumers read from it. */
@Doc("The Kafka cluster the outbox relay publishes to and the timeline consumers read.")
public record KafkaConfig(@Doc("Bootstrap servers, `host:port`, comma-separated.") String bootstrap) {}
