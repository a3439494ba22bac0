package surge.timeline;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one article event to the timelines: {@code surge.article.created} goes into the timelines of its author's
 * followers, {@code surge.article.deleted} out of them; other events of the topic change no timeline. An event is
 * applied at most once by id ({@link Timelines#seen}); an article gone by the time its creation arrives is not added;
 * an author with more followers than {@code timeline.fanoutMaxFollowers} is recorded as hybrid instead of fanned out.
 */
final class TimelineConsumer {
  private static final Logger log = LoggerFactory.getLogger(TimelineConsumer.class);
  private final Timelines timelines;
  private final TimelineRepository repository;
  private final TimelineStats stats;

  TimelineConsumer(Timelines timelines, TimelineRepository repository) {
    this.timelines = timelines;
    this.repository = repository;
    this.stats = timelines.stats();
  }

  /** Completes once the record is applied (or known to need nothing); fails if it must be read again. */
  Future<Void> apply(KafkaConsumerRecord<String, String> record) {
    JsonObject event;
    try {
      event = new JsonObject(record.value());
    } catch (RuntimeException e) {
      log.warn("unreadable event at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
      stats.skipped.increment();
      return Future.succeededFuture();
    }
    String type = event.getString("type", "");
    if (!type.equals("surge.article.created") && !type.equals("surge.article.deleted")) return Future.succeededFuture();
    String id = event.getString("id");
    return timelines.seen(id).compose(seen -> {
      if (seen) {
        stats.duplicates.increment();
        return Future.<Void>succeededFuture();
      }
      JsonObject data = event.getJsonObject("data", new JsonObject());
      long article = Long.parseLong(data.getString("articleId"));
      long author = Long.parseLong(data.getString("authorId"));
      Future<Boolean> done = type.equals("surge.article.created") ? created(article, author) : deleted(article, author);
      return done.compose(changed -> {
        (changed ? stats.applied : stats.skipped).increment();
        return timelines.markSeen(id);
      });
    });
  }

  private Future<Boolean> created(long article, long author) {
    return repository.createdMs(article).compose(created -> created.isEmpty() ? Future.succeededFuture(false)
        : fanOutTargets(author).compose(followers -> followers == null ? Future.succeededFuture(false)
            : timelines.fanOut(followers, author, new Entry(article, created.get())).map(added -> {
              stats.entriesWritten.add(added);
              return true;
            })));
  }

  private Future<Boolean> deleted(long article, long author) {
    return fanOutTargets(author).compose(followers -> followers == null ? Future.succeededFuture(false)
        : timelines.remove(followers, author, article).map(true));
  }

  /** The author's followers (not the author), or null for a hybrid author, whose articles are merged at read time. */
  private Future<List<Long>> fanOutTargets(long author) {
    int max = timelines.config().fanoutMaxFollowers();
    return repository.followers(author, max + 1).compose(followers -> {
      boolean hybrid = followers.size() > max;
      return timelines.markHybrid(author, hybrid)
          .map(done -> hybrid ? null : followers.stream().filter(f -> f != author).toList());
    });
  }
}
