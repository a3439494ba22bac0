package surge.db;

/**
 * SQL for the transactional outbox (migration V3): a fragment that a write
 * statement runs as a data-modifying CTE, {@code WITH changed AS (... RETURNING ...), ev AS (}
 * {@link #insert}{@code ) ...}, so the event row is written by the same statement as the change,
 * once per row the change really touched (none for a no-op), in the same transaction and on the
 * same shard. The event id is drawn once per event ({@code gen_random_uuid()}) and never changes.
 *
 * <p>Envelope ({@code payload}, built by SQL {@code surge_envelope}): {@code specversion "1.0"},
 * {@code id} (uuid), {@code type}, {@code source "/surge"}, {@code time} (UTC, ms), {@code subject}
 * (the aggregate id as a string), {@code datacontenttype "application/json"}, {@code data}. Ids in
 * {@code data} are strings (they exceed 2^53). Events and their aggregate (= Kafka key):
 * <ul>
 *   <li>user: {@code surge.user.registered}, {@code surge.user.updated} ({@code userId, username};
 *       never email or password hash); {@code surge.user.followed}, {@code surge.user.unfollowed}
 *       ({@code followerId, followeeId}; aggregate = follower, whose shard holds the follow)</li>
 *   <li>article: {@code surge.article.created}, {@code surge.article.updated} ({@code articleId,
 *       authorId, title, tags, updatedAt}), {@code surge.article.deleted} ({@code articleId, authorId}),
 *       {@code surge.article.favorited}, {@code surge.article.unfavorited} ({@code articleId, userId}),
 *       {@code surge.comment.added}, {@code surge.comment.deleted} ({@code commentId, articleId, authorId,
 *       articleAuthorId})</li>
 * </ul>
 */
public final class Outbox {
  public static final String USER = "user";
  public static final String ARTICLE = "article";

  private Outbox() {}

  /**
   * {@code INSERT INTO outbox ...} of one {@code type} event per row of {@code from}.
   *
   * @param aggregateType {@link #USER} or {@link #ARTICLE}
   * @param type          the event type, e.g. {@code surge.article.created}
   * @param aggregateId   SQL expression over {@code from}'s columns: the aggregate id (Kafka key, subject)
   * @param data          SQL expression over {@code from}'s columns: the {@code data} jsonb
   * @param from          the CTE (or table expression) holding the changed rows
   */
  public static String insert(String aggregateType, String type, String aggregateId, String data, String from) {
    return "INSERT INTO outbox (id, aggregate_type, aggregate_id, type, payload)"
        + " SELECT e.id, '" + aggregateType + "', e.agg, '" + type + "', surge_envelope(e.id, '" + type + "', e.agg, e.data)"
        + " FROM (SELECT gen_random_uuid() AS id, " + aggregateId + " AS agg, " + data + " AS data FROM " + from + ") e";
  }
}
