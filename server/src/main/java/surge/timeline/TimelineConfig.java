package surge.timeline;

import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/** The feed's timelines ({@code timeline.*}, see {@link Timelines} and docs/feed.md). */
@Doc("The feed's Redis timelines, fanned out through Kafka ([feed.md](feed.md)).")
public record TimelineConfig(
    @Doc("Serve `GET /articles/feed` from Redis timelines fanned out on write; off = every feed is the scatter-gather"
        + " query.") boolean enabled,
    @Doc("Run this node's member of the timeline consumer group.") boolean consumer,
    @Doc("Kafka consumer group of the timeline consumers.") String group,
    @Doc("Authors with more followers are not fanned out but merged into feeds at read time.")
    @Range(min = 0, max = 10_000_000) int fanoutMaxFollowers,
    @Doc("Most entries one timeline keeps; feed pages ending deeper use the scatter-gather query.")
    @Range(min = 10, max = 100_000) int capacity,
    @Doc("Timelines are trusted only while the consumers and the outbox are at most this far behind.")
    @Range(min = 100, max = 3_600_000) int maxLagMs,
    @Doc("An unread timeline expires after this long (whole seconds in Redis) and is rebuilt when read again.")
    @Range(min = 60_000, max = 90 * 86_400_000L) long ttlMs,
    @Doc("How often consumers report their lag and nodes re-check trust and hybrid authors.")
    @Range(min = 50, max = 60_000) int lagReportMs) implements Checked {

  /** Redis {@code EXPIRE} takes seconds. */
  public long ttlSeconds() {
    return ttlMs / 1000;
  }

  @Override
  public void check() {
    if (group.isBlank()) throw ConfigException.key("timeline.group", "must not be empty");
  }
}
