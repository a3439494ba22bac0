package surge.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.EventLog;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * Issue 14 item 5: feeds from timelines fanned out through Kafka, on the real PostgreSQL, Redis and Kafka. Every feed
 * read is compared with a node whose feed is the scatter-gather query ({@link TimelineFixture#feed}).
 * {@code timeline.fanoutMaxFollowers} is 3 here, so an author with 4 followers is hybrid.
 */
@ExtendWith(VertxExtension.class)
class TimelineIT {
  static TimelineFixture f;
  static EventLog events;

  @BeforeAll
  static void start(Vertx vertx) {
    f = new TimelineFixture(vertx, Map.of("timeline.fanoutMaxFollowers", "3"));
    events = new EventLog(f.node.config());
    f.awaitTrusted(60_000);
  }

  @AfterAll
  static void stop() {
    if (events != null) events.close();
    if (f != null) f.close();
  }

  @Test
  void aNewArticleIsFannedOutToTheFollowersTimelines() {
    JsonObject author = f.client.register("tlauth");
    JsonObject reader = f.client.register("tlread");
    String older = f.client.article(author.getString("token"), Client.unique("Before")).getString("slug");
    f.follow(reader, author);
    assertEquals(List.of(older), f.feed(reader), "the follower sees the author's article at once");
    long readerId = TimelineFixture.idOf(reader);
    assertTrue(f.exists(readerId), "the feed read built the timeline");

    String fresh = f.client.article(author.getString("token"), Client.unique("After")).getString("slug");
    long freshId = TimelineFixture.articleId(fresh);
    Eventually.until("the consumer fanned the article out", Duration.ofSeconds(30),
        () -> f.timeline(readerId).contains(freshId));
    long served = f.reads("timeline");
    assertEquals(List.of(fresh, older), f.feed(reader));
    assertTrue(f.reads("timeline") > served, "served from the timeline, not the query");
    assertFalse(f.timeline(TimelineFixture.idOf(author)).contains(freshId), "no timeline of the author's own");
  }

  @Test
  void aPageReadAgainIsTheSamePageUntilSomethingOnItChanges() {
    JsonObject author = f.client.register("tlmemo");
    JsonObject reader = f.client.register("tlmemor");
    String first = f.client.article(author.getString("token"), Client.unique("Memo1")).getString("slug");
    String second = f.client.article(author.getString("token"), Client.unique("Memo2")).getString("slug");
    f.follow(reader, author);
    assertEquals(List.of(second, first), f.feed(reader));
    long reused = f.reads("reused");
    assertEquals(List.of(second, first), f.feed(reader));
    assertEquals(reused + 1, f.reads("reused"), "nothing changed: the page built before");

    // Each change below is on the page: f.feed checks the page against the query's, field by field.
    var favorited = f.client.post("/api/articles/" + first + "/favorite", reader.getString("token"), null);
    assertEquals(200, favorited.statusCode(), favorited.bodyAsString());
    f.feed(reader);
    var edited = f.client.put("/api/articles/" + second, author.getString("token"),
        new JsonObject().put("article", new JsonObject().put("description", "edited " + Client.unique("d"))));
    assertEquals(200, edited.statusCode(), edited.bodyAsString());
    f.feed(reader);
    var bio = f.client.put("/api/user", author.getString("token"),
        new JsonObject().put("user", new JsonObject().put("bio", "bio " + Client.unique("b"))));
    assertEquals(200, bio.statusCode(), bio.bodyAsString());
    f.feed(reader);
    assertEquals(reused + 1, f.reads("reused"), "a favorite, an edit and a bio each made the page anew");
    f.feed(reader);
    assertEquals(reused + 2, f.reads("reused"));
  }

  @Test
  void aTimelineRangeIsReadFromRedisOnlyWhenItCanHaveChanged() {
    // A second timeline node without a consumer: it learns of fan-outs only from the announcements.
    TestNode.Started other = TestNode.start(f.vertx, Map.of("timeline.consumer", "false", "events.relay", "false",
        "timeline.lagReportMs", "200"));
    try {
      Client onOther = new Client(f.vertx, other.port());
      JsonObject author = f.client.register("tlkeep");
      JsonObject stranger = f.client.register("tlkeeps");
      JsonObject reader = f.client.register("tlkeepr");
      JsonObject strangerFan = f.client.register("tlkeepf");
      f.follow(reader, author);
      f.follow(strangerFan, stranger);
      f.feed(strangerFan); // a timeline for the stranger's fan-out to land in
      long consumed = consumed();
      String first = f.client.article(author.getString("token"), Client.unique("Keep1")).getString("slug");
      Eventually.until("the consumer read the creation", Duration.ofSeconds(30), () -> consumed() > consumed);
      Eventually.until("the other node trusts timelines", Duration.ofSeconds(30),
          () -> onOther.get("/health/timeline").bodyAsJsonObject().getBoolean("trusted"));
      assertEquals(List.of(first), feedOn(onOther, reader));
      assertEquals(List.of(first), f.feed(reader));
      long keptOther = kept(onOther);
      long keptHere = f.reads("rangesKept");
      assertEquals(List.of(first), feedOn(onOther, reader));
      assertEquals(List.of(first), f.feed(reader));
      assertEquals(keptOther + 1, kept(onOther), () -> "nothing changed: the range the other node read before; "
          + onOther.get("/health/timeline").bodyAsString());
      assertEquals(keptHere + 1, f.reads("rangesKept"), "and the one this node read before");

      // Someone the reader does not follow posts: their fan-out leaves the reader's kept ranges alone.
      String unrelated = f.client.article(stranger.getString("token"), Client.unique("Other")).getString("slug");
      long strangerFanId = TimelineFixture.idOf(strangerFan);
      Eventually.until("fanned out to the stranger's follower", Duration.ofSeconds(30),
          () -> f.timeline(strangerFanId).contains(TimelineFixture.articleId(unrelated)));
      feedOn(onOther, reader);
      assertEquals(keptOther + 2, kept(onOther), "another author's fan-out changed nothing of this range");

      // The followee posts: once the consumer (on the first node) fanned it out, both nodes read the timeline again.
      String second = f.client.article(author.getString("token"), Client.unique("Keep2")).getString("slug");
      Eventually.until("the other node shows the fanned-out article", Duration.ofSeconds(30),
          () -> feedOn(onOther, reader).equals(List.of(second, first)));
      assertEquals(List.of(second, first), f.feed(reader));
    } finally {
      other.stop();
    }
  }

  private static long consumed() {
    JsonObject consumer = f.status().getJsonObject("consumer");
    return consumer.getLong("applied") + consumer.getLong("skipped") + consumer.getLong("duplicates");
  }

  private static long kept(Client c) {
    return c.get("/health/timeline").bodyAsJsonObject().getJsonObject("reads").getLong("rangesKept");
  }

  private static List<String> feedOn(Client c, JsonObject user) {
    var r = c.get("/api/articles/feed?limit=20&offset=0", user.getString("token"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return TimelineFixture.slugs(r.bodyAsJsonObject());
  }

  @Test
  void followAndUnfollowAdjustTheTimelineBeforeAnswering() {
    JsonObject a = f.client.register("tlfa");
    JsonObject b = f.client.register("tlfb");
    JsonObject reader = f.client.register("tlfr");
    String fromA = f.client.article(a.getString("token"), Client.unique("FromA")).getString("slug");
    f.follow(reader, a);
    assertEquals(List.of(fromA), f.feed(reader));
    long readerId = TimelineFixture.idOf(reader);

    String fromB = f.client.article(b.getString("token"), Client.unique("FromB")).getString("slug");
    f.follow(reader, b);
    assertTrue(f.timeline(readerId).contains(TimelineFixture.articleId(fromB)), "the follow merged B's articles in");
    long rebuilt = f.reads("rebuilt");
    assertEquals(List.of(fromB, fromA), f.feed(reader), "read-your-writes: the new followee's article at once");
    assertEquals(rebuilt, f.reads("rebuilt"), "the adjusted timeline answered, no rebuild");

    f.unfollow(reader, a);
    assertFalse(f.timeline(readerId).contains(TimelineFixture.articleId(fromA)), "the unfollow took A's articles out");
    assertEquals(List.of(fromB), f.feed(reader));
    assertEquals(rebuilt, f.reads("rebuilt"));
  }

  @Test
  void hybridAuthorsAreMergedInAtReadTime() {
    JsonObject star = f.client.register("tlstar");
    JsonObject reader = f.client.register("tlhr");
    for (int i = 0; i < 3; i++) f.follow(f.client.register("tlfan"), star);
    f.follow(reader, star); // four followers: over the threshold of 3
    JsonObject other = f.client.register("tlplain");
    f.follow(reader, other);
    String plain = f.client.article(other.getString("token"), Client.unique("Plain")).getString("slug");
    f.feed(reader);

    String starred = f.client.article(star.getString("token"), Client.unique("Star")).getString("slug");
    long starId = TimelineFixture.idOf(star);
    Eventually.until("the consumer found the author hybrid", Duration.ofSeconds(30), () -> f.hybrid(starId));
    Eventually.until("the node knows it", Duration.ofSeconds(5), () -> f.node.node().services().timelines().hybrid(starId));
    long readerId = TimelineFixture.idOf(reader);
    assertEquals(List.of(starred, plain), f.feed(reader), "the hybrid author's article is merged in");
    assertFalse(f.timeline(readerId).contains(TimelineFixture.articleId(starred)), "and was never fanned out");
    assertTrue(f.timeline(readerId).contains(TimelineFixture.articleId(plain)));
    assertEquals(List.of(plain), f.feed(reader, 1, 1), "pages count the merged articles");
  }

  @Test
  void aTimelineLostInRedisIsRebuiltFromPostgres() {
    JsonObject author = f.client.register("tlfl");
    JsonObject reader = f.client.register("tlflr");
    f.follow(reader, author);
    String one = f.client.article(author.getString("token"), Client.unique("One")).getString("slug");
    String two = f.client.article(author.getString("token"), Client.unique("Two")).getString("slug");
    f.feed(reader);
    long readerId = TimelineFixture.idOf(reader);
    f.redis.send(Request.cmd(Command.FLUSHALL)).await();
    assertFalse(f.exists(readerId));
    f.awaitTrusted(10_000); // the consumers' lag reports went with the flush
    long rebuilt = f.reads("rebuilt");
    // The range this node read before is still right, and answers a page of that depth without Redis: one of
    // another depth must read the timeline and find it gone.
    assertEquals(List.of(two, one), f.feed(reader, 10, 0));
    assertTrue(f.reads("rebuilt") > rebuilt, "the read rebuilt it");
    assertEquals(List.of(TimelineFixture.articleId(two), TimelineFixture.articleId(one)), f.timeline(readerId));
  }

  @Test
  void aRedeliveredEventChangesNothing() {
    JsonObject author = f.client.register("tldup");
    JsonObject reader = f.client.register("tldupr");
    f.follow(reader, author);
    f.feed(reader);
    String slug = f.client.article(author.getString("token"), Client.unique("Dup")).getString("slug");
    long id = TimelineFixture.articleId(slug);
    long readerId = TimelineFixture.idOf(reader);
    Eventually.until("fanned out", Duration.ofSeconds(30), () -> f.timeline(readerId).contains(id));
    EventLog.Event created = events.await(e -> e.subject().equals(Long.toString(id)) && e.type().equals("surge.article.created"),
        seen -> !seen.isEmpty(), 30_000).get(0);

    var r = f.client.delete("/api/articles/" + slug, author.getString("token"));
    assertEquals(204, r.statusCode(), r.bodyAsString());
    Eventually.until("the deletion left the timeline", Duration.ofSeconds(30), () -> !f.timeline(readerId).contains(id));

    long duplicates = f.status().getJsonObject("consumer").getLong("duplicates");
    long skipped = f.status().getJsonObject("consumer").getLong("skipped");
    // The same event again, and a copy under a new id (a replay from before the dedup window): neither brings it back.
    resend(created, created.id());
    resend(created, java.util.UUID.randomUUID().toString());
    Eventually.until("both copies were read", Duration.ofSeconds(30),
        () -> f.status().getJsonObject("consumer").getLong("duplicates") > duplicates
        && f.status().getJsonObject("consumer").getLong("skipped") > skipped);
    assertFalse(f.timeline(readerId).contains(id), "a re-delivered creation does not bring a deleted article back");
    assertEquals(List.of(), f.feed(reader));
  }

  private static void resend(EventLog.Event event, String id) {
    Properties props = new Properties();
    props.put("bootstrap.servers", f.node.config().kafka().bootstrap());
    props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    props.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      JsonObject copy = event.envelope().copy().put("id", id);
      producer.send(new ProducerRecord<>(event.topic(), event.key(), copy.encode())).get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
