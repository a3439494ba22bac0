package surge.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import surge.support.LiveEnvelopes;

/** Who gets what ({@link Audience}) and how envelopes become events and frames ({@link StreamEvent}). */
class AudienceTest {
  static final long A = 1001, B = 1002, C = 1003;

  static StreamEvent parse(JsonObject envelope) {
    return StreamEvent.parse(envelope.encode());
  }

  @Test
  void newArticlesGoToTheAuthorsFollowersOnly() {
    StreamEvent e = parse(LiveEnvelopes.articleCreated(A, "hello"));
    assertTrue(Audience.receives(e, B, new long[] {A}));
    assertFalse(Audience.receives(e, C, new long[] {B}));
    assertFalse(Audience.receives(e, C, Followees.NONE));
    assertFalse(Audience.receives(e, A, new long[] {A}), "the author is not told of their own article");
  }

  @Test
  void commentsGoToTheArticlesAuthorUnlessTheyWroteIt() {
    assertTrue(Audience.receives(parse(LiveEnvelopes.commentAdded(C, B)), B, Followees.NONE));
    assertFalse(Audience.receives(parse(LiveEnvelopes.commentAdded(C, B)), C, new long[] {B}));
    assertFalse(Audience.receives(parse(LiveEnvelopes.commentAdded(B, B)), B, Followees.NONE));
  }

  @Test
  void aNewFollowerIsToldToTheFolloweeOnly() {
    StreamEvent followed = parse(LiveEnvelopes.followed(C, B));
    assertTrue(Audience.receives(followed, B, Followees.NONE));
    assertFalse(Audience.receives(followed, C, Followees.NONE));
    assertFalse(Audience.receives(followed, A, new long[] {B, C}));
    assertFalse(Audience.receives(parse(LiveEnvelopes.unfollowed(C, B)), B, Followees.NONE), "unfollows are not delivered");
  }

  @Test
  void theStreamsOwnFollowsChangeItsFollowedSet() {
    long[] none = Followees.NONE;
    long[] afterFollow = Audience.followeesAfter(parse(LiveEnvelopes.followed(B, A)), B, none);
    assertArrayEquals(new long[] {A}, afterFollow);
    assertTrue(Audience.receives(parse(LiveEnvelopes.articleCreated(A, "x")), B, afterFollow));
    long[] afterUnfollow = Audience.followeesAfter(parse(LiveEnvelopes.unfollowed(B, A)), B, afterFollow);
    assertArrayEquals(new long[0], afterUnfollow);
    assertSame(afterFollow, Audience.followeesAfter(parse(LiveEnvelopes.followed(C, A)), B, afterFollow),
        "someone else's follow leaves the set alone");
    assertSame(afterFollow, Audience.followeesAfter(parse(LiveEnvelopes.articleCreated(B, "x")), B, afterFollow));
  }

  @Test
  void parseReadsTheEnvelopeAndBuildsOneLineFrame() {
    JsonObject envelope = LiveEnvelopes.commentAdded(C, B);
    StreamEvent e = parse(envelope);
    assertEquals(envelope.getString("id"), e.id());
    assertEquals(StreamEvent.Kind.COMMENT_ADDED, e.kind());
    assertEquals(C, e.actor());
    assertEquals(B, e.target());
    assertEquals("id: " + e.id() + "\nevent: surge.comment.added\ndata: " + envelope.encode() + "\n\n",
        e.frame().toString(StandardCharsets.UTF_8));
  }

  @Test
  void aPrettyPrintedEnvelopeIsPutOnOneDataLine() {
    JsonObject envelope = LiveEnvelopes.articleCreated(A, "line\nbreak é");
    StreamEvent e = StreamEvent.parse(envelope.encodePrettily());
    String frame = e.frame().toString(StandardCharsets.UTF_8);
    String data = frame.substring(frame.indexOf("data: ") + 6, frame.length() - 2);
    assertFalse(data.contains("\n"), frame);
    assertEquals(envelope, new JsonObject(data));
  }

  @Test
  void otherTypesAreIgnoredAndBrokenOnesRefused() {
    assertNull(StreamEvent.parse(LiveEnvelopes.envelope("surge.article.favorited", "1",
        new JsonObject().put("articleId", "1").put("userId", "2")).encode()));
    assertThrows(RuntimeException.class, () -> StreamEvent.parse("{not json"));
    assertThrows(RuntimeException.class, () -> StreamEvent.parse(LiveEnvelopes.envelope("surge.user.followed", "1",
        new JsonObject().put("followerId", "x").put("followeeId", "2")).encode()));
    assertThrows(RuntimeException.class, () -> StreamEvent.parse(LiveEnvelopes.articleCreated(A, "t")
        .put("id", "a\nevent: forged").encode()), "an id that would break the frame");
    assertThrows(RuntimeException.class, () -> StreamEvent.parse(42));
  }
}
