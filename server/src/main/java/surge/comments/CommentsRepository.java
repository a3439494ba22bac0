package surge.comments;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import surge.core.ApiError;
import surge.core.Viewer;
import surge.db.Ids;
import surge.db.Outbox;
import surge.db.PgErrors;
import surge.db.Shards;

/** Comments live with their article, on the article author's shard. */
final class CommentsRepository {
  private static final String NOW_MS = "date_trunc('milliseconds', now())";
  // Outbox events (migration V3) have the article as their aggregate, like the article's own events.
  // articleAuthorId: whom the comment concerns (the live stream notifies them); the article lives on this shard.
  private static final String COMMENT_DATA = "jsonb_build_object('commentId', c.id::text, 'articleId', c.article_id::text,"
      + " 'authorId', c.author_id::text,"
      + " 'articleAuthorId', (SELECT ar.author_id::text FROM articles ar WHERE ar.id = c.article_id))";
  private static final String INSERT = "WITH c AS (INSERT INTO comments (id, article_id, author_id, body, created_at, updated_at)"
      + " VALUES (surge_next_comment_id($1), $2, $3, $4, " + NOW_MS + ", " + NOW_MS + ")"
      + " RETURNING id, article_id, author_id, body, created_at, updated_at),"
      + " ev AS (" + Outbox.insert(Outbox.ARTICLE, "surge.comment.added", "c.article_id", COMMENT_DATA, "c") + ")"
      + " SELECT id, author_id, body, created_at, updated_at FROM c";
  private static final String OF_ARTICLE = "SELECT id, author_id, body, created_at, updated_at FROM comments"
      + " WHERE article_id = $1 ORDER BY created_at DESC, id DESC";
  private static final String COUNTS = "SELECT article_id, count(*) FROM comments WHERE article_id = ANY($1)"
      + " GROUP BY article_id";
  private static final String AUTHOR = "SELECT author_id FROM comments WHERE id = $1 AND article_id = $2";
  private static final String DELETE = "WITH c AS (DELETE FROM comments WHERE id = $1 AND article_id = $2"
      + " RETURNING id, article_id, author_id),"
      + " ev AS (" + Outbox.insert(Outbox.ARTICLE, "surge.comment.deleted", "c.article_id", COMMENT_DATA, "c") + ")"
      + " SELECT count(*) FROM c";

  private final Shards shards;

  CommentsRepository(Shards shards) {
    this.shards = shards;
  }

  Future<Comment> insert(long articleId, Viewer author, String body) {
    return shards.write(articleId, author, db -> db.preparedQuery(INSERT)
            .execute(Tuple.of(Ids.shardOf(articleId), articleId, author.user(), body))
            .recover(failure -> Future.failedFuture(PgErrors.isForeignKeyViolation(failure)
                ? ApiError.notFound("article") : failure))) // the article was deleted meanwhile
        .map(rows -> from(rows.iterator().next()));
  }

  /** Newest first. */
  Future<List<Comment>> ofArticle(long articleId, Viewer viewer) {
    return shards.byId(articleId).read(viewer, db -> db.preparedQuery(OF_ARTICLE).execute(Tuple.of(articleId))).map(rows -> {
      List<Comment> out = new ArrayList<>(rows.size());
      for (Row row : rows) out.add(from(row));
      return out;
    });
  }

  /** Comment counts of many articles: one query per physical shard they live on; articles without comments are absent. */
  Future<java.util.Map<Long, Long>> counts(java.util.Collection<Long> articleIds, Viewer viewer) {
    List<Future<io.vertx.sqlclient.RowSet<Row>>> reads = new ArrayList<>();
    shards.group(articleIds, Long::longValue).forEach((shard, group) -> {
      Tuple params = Tuple.of((Object) group.toArray(Long[]::new));
      reads.add(shard.read(viewer, db -> db.preparedQuery(COUNTS).execute(params)));
    });
    return Future.all(reads).map(done -> {
      java.util.Map<Long, Long> out = new java.util.HashMap<>();
      for (var read : reads) for (Row row : read.result()) out.put(row.getLong(0), row.getLong(1));
      return out;
    });
  }

  Future<Optional<Long>> authorOf(long commentId, long articleId, Viewer viewer) {
    return shards.byId(articleId).read(viewer, db -> db.preparedQuery(AUTHOR).execute(Tuple.of(commentId, articleId)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  Future<Void> delete(long commentId, long articleId, Viewer author) {
    return shards.write(articleId, author, db -> db.preparedQuery(DELETE).execute(Tuple.of(commentId, articleId)))
        .mapEmpty();
  }

  private static Comment from(Row row) {
    return new Comment(row.getLong("id"), row.getLong("author_id"), row.getString("body"),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
  }

  record Comment(long id, long authorId, String body, OffsetDateTime createdAt, OffsetDateTime updatedAt) {}
}
