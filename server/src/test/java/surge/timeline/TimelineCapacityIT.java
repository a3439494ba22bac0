package surge.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.Eventually;

/**
 * A timeline cut at its capacity (10 here): pages within it come from it (the count from the database), pages
 * deeper use the query, a new article pushes the oldest out, and a follow that would not fit drops the timeline so
 * that it is rebuilt. Every page is compared with the scatter-gather query's, its {@code articlesCount} too.
 */
@ExtendWith(VertxExtension.class)
class TimelineCapacityIT {
  static TimelineFixture f;

  @BeforeAll
  static void start(Vertx vertx) {
    f = new TimelineFixture(vertx, Map.of("timeline.capacity", "10"));
    f.awaitTrusted(60_000);
  }

  @AfterAll
  static void stop() {
    if (f != null) f.close();
  }

  @Test
  void aCutTimelineAnswersWhatItHoldsAndTheQueryTheRest() {
    JsonObject author = f.client.register("tlcap");
    JsonObject reader = f.client.register("tlcapr");
    List<String> slugs = new ArrayList<>();
    for (int i = 0; i < 12; i++) slugs.add(0, f.client.article(author.getString("token"), Client.unique("Cap" + i)).getString("slug"));
    f.follow(reader, author);
    long readerId = TimelineFixture.idOf(reader);
    long served = f.reads("timeline") + f.reads("rebuilt");
    assertEquals(slugs.subList(0, 5), f.feed(reader, 5, 0));
    assertEquals(slugs.subList(5, 10), f.feed(reader, 5, 5));
    assertEquals(served + 2, f.reads("timeline") + f.reads("rebuilt"), "both pages from the cut timeline");
    assertEquals(10, f.timeline(readerId).size());
    long fallbacks = f.reads("fallback");
    assertEquals(slugs.subList(8, 12), f.feed(reader, 5, 8), "deeper than it holds: the query");
    assertTrue(f.reads("fallback") > fallbacks);

    String newest = f.client.article(author.getString("token"), Client.unique("CapNew")).getString("slug");
    Eventually.until("fanned out", Duration.ofSeconds(30),
        () -> f.timeline(readerId).contains(TimelineFixture.articleId(newest)));
    assertEquals(10, f.timeline(readerId).size(), "the oldest went");
    slugs.add(0, newest);
    assertEquals(slugs.subList(0, 10), f.feed(reader, 10, 0));

    JsonObject other = f.client.register("tlcapo");
    String otherSlug = f.client.article(other.getString("token"), Client.unique("Other")).getString("slug");
    f.follow(reader, other);
    assertTrue(!f.exists(readerId), "a follow into a cut timeline drops it");
    List<String> page = f.feed(reader, 3, 0);
    assertEquals(otherSlug, page.get(0), "rebuilt with the new followee's article first");
    assertTrue(f.exists(readerId));
  }

  @Test
  void aCutTimelinesCountFollowsADeletionAtOnce() {
    JsonObject author = f.client.register("tlcnt");
    JsonObject reader = f.client.register("tlcntr");
    List<String> slugs = new ArrayList<>();
    for (int i = 0; i < 12; i++) slugs.add(0, f.client.article(author.getString("token"), Client.unique("Cnt" + i)).getString("slug"));
    f.follow(reader, author);
    assertEquals(slugs.subList(0, 5), f.feed(reader, 5, 0), "the count of 12 from the database, then kept");
    assertEquals(12, f.feedCount(reader, 5, 0));

    // The oldest article is deeper than the cut timeline holds: neither its entries nor its newest change.
    var deleted = f.client.delete("/api/articles/" + slugs.get(11), author.getString("token"));
    assertEquals(204, deleted.statusCode(), deleted.bodyAsString());
    assertEquals(slugs.subList(0, 5), f.feed(reader, 5, 0), "counted again at once, not after the memo's lifetime");
    assertEquals(11, f.feedCount(reader, 5, 0));
  }
}
