package surge.events;

import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/** Domain events: the outbox relay that publishes them to Kafka ({@code events.*}, see {@link OutboxRelay}). */
@Doc("Domain events: the outbox relay that publishes them to Kafka.")
public record EventsConfig(
    @Doc("Run the outbox relay on this node; every node may, one per physical shard is active.") boolean relay,
    @Doc("Topic of user events: registrations, profile updates, follows.") String topicUsers,
    @Doc("Topic of article, favorite and comment events.") String topicArticles,
    @Doc("Partitions of each topic when the relay creates it; an existing topic is left as it is.")
    @Range(min = 1, max = 10_000) int partitions,
    @Doc("Replicas of each partition when the relay creates a topic.") @Range(min = 1, max = 16) int replicationFactor,
    @Doc("Most outbox rows one relay round publishes.") @Range(min = 1, max = 10_000) int batchSize,
    @Doc("An idle relay looks again after this long even without a notification.") @Range(min = 10, max = 600_000)
    int pollMs,
    @Doc("How often a standby relay tries to become a shard's active one.") @Range(min = 10, max = 600_000) int lockRetryMs,
    @Doc("How often each shard's backlog (rows, age of the oldest) is measured (`/health/events`).")
    @Range(min = 100, max = 3_600_000) int backlogCheckMs,
    @Doc("Longest pause between attempts while Kafka or the database fails.") @Range(min = 10, max = 600_000)
    int retryMaxMs,
    @Doc("Failed sends in a row that open the node's Kafka circuit breaker.") @Range(min = 1, max = 100_000)
    int breakerFailures,
    @Doc("How long the open Kafka breaker refuses sends before a probe (listing the topics) tries again.")
    @Range(min = 100, max = 600_000) int breakerResetMs) implements Checked {

  @Override
  public void check() {
    if (topicUsers.isBlank() || topicArticles.isBlank() || topicUsers.equals(topicArticles)) {
      throw ConfigException.keys("events.topicUsers", "events.topicArticles", "must name two different topics");
    }
  }
}
