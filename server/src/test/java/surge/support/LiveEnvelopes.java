package surge.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import surge.events.LiveEvents;

/**
 * Synthetic domain-event envelopes, shaped like the outbox's ({@code surge.db.Outbox}), for tests that play
 * the relay: they publish them on {@link LiveEvents#ADDRESS} as JSON text, as the relay does after Kafka
 * acknowledged an event.
 */
public final class LiveEnvelopes {
  private LiveEnvelopes() {}

  public static JsonObject envelope(String type, String subject, JsonObject data) {
    return new JsonObject().put("specversion", "1.0").put("id", UUID.randomUUID().toString()).put("type", type)
        .put("source", "/surge").put("time", Instant.now().toString()).put("subject", subject)
        .put("datacontenttype", "application/json").put("data", data);
  }

  public static JsonObject articleCreated(long authorId, String title) {
    long articleId = Math.abs(UUID.randomUUID().getLeastSignificantBits() >> 1);
    return envelope("surge.article.created", Long.toString(articleId), new JsonObject()
        .put("articleId", Long.toString(articleId)).put("authorId", Long.toString(authorId)).put("title", title)
        .put("tags", new JsonArray().add("live")).put("updatedAt", Instant.now().toString()));
  }

  public static JsonObject commentAdded(long commenterId, long articleAuthorId) {
    long articleId = Math.abs(UUID.randomUUID().getLeastSignificantBits() >> 1);
    return envelope("surge.comment.added", Long.toString(articleId), new JsonObject()
        .put("commentId", "12345").put("articleId", Long.toString(articleId))
        .put("authorId", Long.toString(commenterId)).put("articleAuthorId", Long.toString(articleAuthorId)));
  }

  public static JsonObject followed(long followerId, long followeeId) {
    return follow("surge.user.followed", followerId, followeeId);
  }

  public static JsonObject unfollowed(long followerId, long followeeId) {
    return follow("surge.user.unfollowed", followerId, followeeId);
  }

  private static JsonObject follow(String type, long followerId, long followeeId) {
    return envelope(type, Long.toString(followerId), new JsonObject()
        .put("followerId", Long.toString(followerId)).put("followeeId", Long.toString(followeeId)));
  }

  /** Publishes like the relay: the envelope as a JSON string, to every consumer on every node. */
  public static JsonObject publish(Vertx vertx, JsonObject envelope) {
    vertx.eventBus().publish(LiveEvents.ADDRESS, envelope.encode());
    return envelope;
  }

  /** The user id a Surge token names (its {@code sub}). */
  public static long userId(String token) {
    String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
    return Long.parseLong(new JsonObject(payload).getString("sub"));
  }
}
