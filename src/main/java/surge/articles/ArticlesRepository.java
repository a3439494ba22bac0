package surge.articles;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import surge.db.Ids;
import surge.db.PgErrors;
import surge.http.ApiError;

/**
 * Articles, their tags and favorites. Everything here stays on the author's shard: the author's
 * profile and the viewer's favorite flag are read with the article in one query.
 */
final class ArticlesRepository {
  private static final String NOW_MS = "date_trunc('milliseconds', now())";
  /** Columns of a list item (no body) with the author and the viewer's ($1) favorite flag. */
  private static final String ITEM = "SELECT a.id, a.title, a.description, a.tags, a.favorites_count,"
      + " a.created_at, a.updated_at, a.author_id, u.username, u.bio, u.image,"
      + " EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = $1) AS favorited";
  private static final String ONE = ITEM + ", a.body FROM articles a JOIN users u ON u.id = a.author_id WHERE a.id = $2";
  private static final String INSERT = "INSERT INTO articles"
      + " (id, author_id, title, description, body, tags, created_at, updated_at)"
      + " VALUES (surge_next_id($1), $2, $3, $4, $5, $6, " + NOW_MS + ", " + NOW_MS + ") RETURNING id";
  // updated_at always moves forward, even for two updates within one millisecond.
  private static final String UPDATE = "UPDATE articles SET title = coalesce($2, title),"
      + " description = coalesce($3, description), body = coalesce($4, body), tags = coalesce($5, tags),"
      + " updated_at = greatest(" + NOW_MS + ", updated_at + interval '1 millisecond') WHERE id = $1";
  private static final String DELETE = "DELETE FROM articles WHERE id = $1";
  private static final String FAVORITE = "WITH added AS ("
      + " INSERT INTO favorites (article_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1)"
      + " UPDATE articles SET favorites_count = favorites_count + (SELECT count(*) FROM added) WHERE id = $1";
  private static final String UNFAVORITE = "WITH removed AS ("
      + " DELETE FROM favorites WHERE article_id = $1 AND user_id = $2 RETURNING 1)"
      + " UPDATE articles SET favorites_count = favorites_count - (SELECT count(*) FROM removed) WHERE id = $1";

  private final Pool pool;
  /** Statements per filter combination (keyed by its WHERE clause); at most 16 entries. */
  private final ConcurrentHashMap<String, String[]> listSql = new ConcurrentHashMap<>();

  ArticlesRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Optional<Article>> byId(long id, Long viewer) {
    return pool.preparedQuery(ONE).execute(Tuple.of(viewer, id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Article.from(rows.iterator().next(), true)));
  }

  Future<Long> insert(long authorId, String title, String description, String body, List<String> tags) {
    Tuple params = Tuple.of(Ids.shardOf(authorId), authorId, title, description, body, (Object) tags.toArray(String[]::new));
    return pool.preparedQuery(INSERT).execute(params).map(rows -> rows.iterator().next().getLong(0));
  }

  Future<Void> update(long id, String title, String description, String body, List<String> tags) {
    Tuple params = Tuple.of(id, title, description, body, (Object) (tags == null ? null : tags.toArray(String[]::new)));
    return pool.preparedQuery(UPDATE).execute(params).mapEmpty();
  }

  Future<Void> delete(long id) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  /** Idempotent; the count moves only when the favorite row really changes, so races count right. */
  Future<Void> favorite(long articleId, long userId) {
    return pool.preparedQuery(FAVORITE).execute(Tuple.of(articleId, userId))
        .recover(failure -> Future.failedFuture(PgErrors.isForeignKeyViolation(failure)
            ? ApiError.notFound("article") : failure))
        .mapEmpty();
  }

  Future<Void> unfavorite(long articleId, long userId) {
    return pool.preparedQuery(UNFAVORITE).execute(Tuple.of(articleId, userId)).mapEmpty();
  }

  /** One page, newest first (ties broken by id), and the total number of matches. */
  Future<Page> list(ArticleFilter filter, Long viewer, int limit, int offset) {
    String[] sql = listSql.computeIfAbsent(filter.where(1), shape -> listStatements(filter));
    List<Object> filterParams = filter.params();
    Tuple pageParams = Tuple.tuple().addValue(viewer);
    filterParams.forEach(pageParams::addValue);
    pageParams.addValue((long) limit).addValue((long) offset);
    Tuple countParams = Tuple.tuple();
    filterParams.forEach(countParams::addValue);
    Future<RowSet<Row>> page = pool.preparedQuery(sql[0]).execute(pageParams);
    Future<RowSet<Row>> count = pool.preparedQuery(sql[1]).execute(countParams);
    return Future.all(page, count).map(done -> {
      List<Article> articles = new ArrayList<>();
      for (Row row : page.result()) articles.add(Article.from(row, false));
      return new Page(articles, count.result().iterator().next().getLong(0));
    });
  }

  /** [page statement, count statement] for one filter shape; the page's $1 is the viewer. */
  private static String[] listStatements(ArticleFilter filter) {
    int params = filter.params().size();
    String page = ITEM + " FROM articles a JOIN users u ON u.id = a.author_id" + filter.where(2)
        + " ORDER BY a.created_at DESC, a.id DESC LIMIT $" + (params + 2) + " OFFSET $" + (params + 3);
    return new String[] {page, "SELECT count(*) FROM articles a" + filter.where(1)};
  }

  record Page(List<Article> articles, long total) {}
}
