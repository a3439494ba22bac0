package surge.articles;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import surge.core.ApiError;
import surge.core.Viewer;
import surge.db.Ids;
import surge.db.Merge;
import surge.db.Outbox;
import surge.db.PgErrors;
import surge.db.PhysicalShard;
import surge.db.Shards;

/**
 * Articles, their tags and favorites, all on the author's shard: the author's profile and the
 * viewer's favorite flag are read with the article in one query. Lists run on every shard that can
 * hold a match, concurrently, and are merged.
 */
final class ArticlesRepository {
  /** Newest first; ids break ties so that every shard and the merge agree on one total order. */
  static final Comparator<Article> NEWEST_FIRST = Comparator.comparing(Article::createdAt).reversed()
      .thenComparing(Comparator.comparingLong(Article::id).reversed());

  private static final String NOW_MS = "date_trunc('milliseconds', now())";
  /** Columns of a list item (no body) with the author and the viewer's ($1) favorite flag. */
  private static final String ITEM = "SELECT a.id, a.title, a.description, a.tags, a.favorites_count,"
      + " a.created_at, a.updated_at, a.author_id, u.username, u.bio, u.image,"
      + " EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = $1) AS favorited";
  private static final String BY_IDS = ITEM + " FROM articles a JOIN users u ON u.id = a.author_id WHERE a.id = ANY($2)";
  private static final String ONE = ITEM + ", a.body FROM articles a JOIN users u ON u.id = a.author_id WHERE a.id = $2";
  private static final String MANY = ITEM + ", a.body FROM articles a JOIN users u ON u.id = a.author_id WHERE a.id = ANY($2)";
  /** {@link #ONE} and whether the viewer follows the author: for viewers whose follows rows live on the article's database. */
  private static final String ONE_FOLLOWING = ITEM + ", a.body,"
      + " EXISTS (SELECT 1 FROM follows fo WHERE fo.follower_id = $1 AND fo.followee_id = a.author_id) AS following"
      + " FROM articles a JOIN users u ON u.id = a.author_id WHERE a.id = $2";
  // Outbox events (migration V3): every article, favorite and comment event has the article as its
  // aggregate, so one article's events keep their order under one Kafka key.
  // updatedAt moves forward with every update of one article, so consumers can order or skip stale updates.
  private static final String ARTICLE_DATA = "jsonb_build_object('articleId', a.id::text, 'authorId', a.author_id::text,"
      + " 'title', a.title, 'tags', to_jsonb(a.tags),"
      + " 'updatedAt', to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))";
  private static final String INSERT = "WITH a AS (INSERT INTO articles"
      + " (id, author_id, title, description, body, tags, created_at, updated_at)"
      + " VALUES (surge_next_id($1), $2, $3, $4, $5, $6, " + NOW_MS + ", " + NOW_MS + ") RETURNING id, author_id, title, tags, updated_at),"
      + " ev AS (" + Outbox.insert(Outbox.ARTICLE, "surge.article.created", "a.id", ARTICLE_DATA, "a") + ")"
      + " SELECT id FROM a";
  // updated_at always moves forward, even for two updates within one millisecond.
  private static final String UPDATE = "WITH a AS (UPDATE articles SET title = coalesce($2, title),"
      + " description = coalesce($3, description), body = coalesce($4, body), tags = coalesce($5, tags),"
      + " updated_at = greatest(" + NOW_MS + ", updated_at + interval '1 millisecond') WHERE id = $1"
      + " RETURNING id, author_id, title, tags, updated_at),"
      + " ev AS (" + Outbox.insert(Outbox.ARTICLE, "surge.article.updated", "a.id", ARTICLE_DATA, "a") + ")"
      + " SELECT count(*) FROM a";
  private static final String DELETE = "WITH a AS (DELETE FROM articles WHERE id = $1 RETURNING id, author_id),"
      + " ev AS (" + Outbox.insert(Outbox.ARTICLE, "surge.article.deleted", "a.id",
          "jsonb_build_object('articleId', a.id::text, 'authorId', a.author_id::text)", "a") + ")"
      + " SELECT count(*) FROM a";
  private static final String FAVORITE_DATA = "jsonb_build_object('articleId', f.article_id::text, 'userId', f.user_id::text)";
  private static final String FAVORITES_UP_TO = "SELECT article_id FROM favorites WHERE user_id = $1 LIMIT $2";
  private static final String FAVORITED_AMONG = "SELECT article_id FROM favorites WHERE user_id = $1 AND article_id = ANY($2)";
  private static final String FAVORITE = "WITH added AS ("
      + " INSERT INTO favorites (article_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING article_id, user_id),"
      + " ev AS (" + Outbox.insert(Outbox.ARTICLE, "surge.article.favorited", "f.article_id", FAVORITE_DATA, "added f") + ")"
      + " UPDATE articles SET favorites_count = favorites_count + (SELECT count(*) FROM added) WHERE id = $1";
  private static final String UNFAVORITE = "WITH removed AS ("
      + " DELETE FROM favorites WHERE article_id = $1 AND user_id = $2 RETURNING article_id, user_id),"
      + " ev AS (" + Outbox.insert(Outbox.ARTICLE, "surge.article.unfavorited", "f.article_id", FAVORITE_DATA, "removed f") + ")"
      + " UPDATE articles SET favorites_count = favorites_count - (SELECT count(*) FROM removed) WHERE id = $1";

  private final Shards shards;
  private static final Comparator<Key> KEY_ORDER = Comparator.comparing(Key::createdAt).reversed()
      .thenComparing(Comparator.comparingLong(Key::id).reversed());
  /** Pages at least this deep over several shards merge keys first (see {@link #keysFirst}). */
  static final int KEYS_FIRST_OFFSET = 20;

  /** Statements per filter combination (keyed by its WHERE clause); at most 16 entries. */
  private final ConcurrentHashMap<String, String[]> listSql = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String[]> keySql = new ConcurrentHashMap<>();

  ArticlesRepository(Shards shards) {
    this.shards = shards;
  }

  Future<Optional<Article>> byId(long id, Viewer viewer) {
    return shards.byId(id).read(viewer, db -> db.preparedQuery(ONE).execute(Tuple.of(viewer.id(), id)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Article.from(rows.iterator().next(), true)));
  }

  /** Whole articles (with their bodies) by id, one query per physical shard that holds some: batched cache loads. */
  Future<Map<Long, Article>> byIds(java.util.Collection<Long> ids, Viewer viewer) {
    List<Future<RowSet<Row>>> reads = new ArrayList<>();
    shards.group(ids, Long::longValue).forEach((shard, group) -> {
      Tuple params = Tuple.of(viewer.id(), (Object) group.toArray(Long[]::new));
      reads.add(shard.read(viewer, db -> db.preparedQuery(MANY).execute(params)));
    });
    return Future.all(reads).map(done -> {
      Map<Long, Article> out = new HashMap<>();
      for (Future<RowSet<Row>> read : reads) for (Row row : read.result()) out.put(row.getLong("id"), Article.from(row, true));
      return out;
    });
  }

  /**
   * The article as the viewer sees it, in one statement on the article's physical shard: its row
   * and tags, its author's profile (the author's user row is on the same logical shard: articles are
   * placed by their author, and {@code articles.author_id} is a foreign key into that database) and
   * the viewer's favorite (favorites live with the article). Follows live on the follower's shard,
   * so the follow flag comes along only when the viewer's logical shard maps to the same physical
   * shard; otherwise {@link Viewed#following} is null and the caller asks the viewer's shard.
   */
  Future<Optional<Viewed>> viewed(long id, Viewer viewer) {
    PhysicalShard shard = shards.byId(id);
    boolean followsHere = !viewer.isAnonymous() && shards.byId(viewer.user()) == shard;
    String sql = followsHere ? ONE_FOLLOWING : ONE;
    return shard.read(viewer, db -> db.preparedQuery(sql).execute(Tuple.of(viewer.id(), id))).map(rows -> {
      if (rows.size() == 0) return Optional.<Viewed>empty();
      Row row = rows.iterator().next();
      Boolean following = followsHere ? row.getBoolean("following") : viewer.isAnonymous() ? Boolean.FALSE : null;
      return Optional.of(new Viewed(Article.from(row, true), following));
    });
  }

  /** Which of {@code articleIds} the viewer favorited: one query per physical shard the articles live on. */
  Future<java.util.Set<Long>> favoritedAmong(Viewer viewer, java.util.Collection<Long> articleIds) {
    if (viewer.isAnonymous() || articleIds.isEmpty()) return Future.succeededFuture(java.util.Set.of());
    java.util.Map<PhysicalShard, List<Long>> byShard = new java.util.LinkedHashMap<>();
    for (long id : articleIds) byShard.computeIfAbsent(shards.byId(id), s -> new java.util.ArrayList<>()).add(id);
    List<Future<RowSet<Row>>> parts = new java.util.ArrayList<>();
    byShard.forEach((shard, ids) -> parts.add(shard.read(viewer, db -> db.preparedQuery(FAVORITED_AMONG)
        .execute(Tuple.of(viewer.user(), (Object) ids.toArray(Long[]::new))))));
    return Future.all(parts).map(done -> {
      java.util.Set<Long> found = new java.util.HashSet<>();
      for (Future<RowSet<Row>> part : parts) for (Row row : part.result()) found.add(row.getLong(0));
      return found;
    });
  }

  /**
   * What {@code user} favorited, read on the primaries, at most {@code cap} per physical shard (the cached copy, see
   * ArticlesService): favorites live beside their articles, so every shard is asked once.
   */
  Future<surge.cache.IdSet> favoritesUpTo(long user, int cap) {
    Viewer primary = Viewer.of(user, true);
    List<Future<RowSet<Row>>> parts = new java.util.ArrayList<>();
    for (PhysicalShard shard : shards.all()) {
      parts.add(shard.read(primary, db -> db.preparedQuery(FAVORITES_UP_TO).execute(Tuple.of(user, cap + 1))));
    }
    return Future.all(parts).map(done -> {
      java.util.Set<Long> found = new java.util.HashSet<>();
      boolean more = false;
      for (Future<RowSet<Row>> part : parts) {
        int n = 0;
        for (Row row : part.result()) if (n++ < cap) found.add(row.getLong(0));
        more |= n > cap;
      }
      return surge.cache.IdSet.of(found, more);
    });
  }

  Future<Long> insert(Viewer author, String title, String description, String body, List<String> tags) {
    long authorId = author.user();
    Tuple params = Tuple.of(Ids.shardOf(authorId), authorId, title, description, body, (Object) tags.toArray(String[]::new));
    return write(authorId, author, INSERT, params).map(rows -> rows.iterator().next().getLong(0));
  }

  Future<Void> update(long id, Viewer author, String title, String description, String body, List<String> tags) {
    Tuple params = Tuple.of(id, title, description, body, (Object) (tags == null ? null : tags.toArray(String[]::new)));
    return write(id, author, UPDATE, params).mapEmpty();
  }

  Future<Void> delete(long id, Viewer author) {
    return write(id, author, DELETE, Tuple.of(id)).mapEmpty();
  }

  /** Idempotent; the count moves only when the favorite row really changes, so races count right. */
  Future<Void> favorite(long articleId, Viewer user) {
    return write(articleId, user, FAVORITE, Tuple.of(articleId, user.user()))
        .recover(failure -> Future.failedFuture(PgErrors.isForeignKeyViolation(failure)
            ? ApiError.notFound("article") : failure))
        .mapEmpty();
  }

  Future<Void> unfavorite(long articleId, Viewer user) {
    return write(articleId, user, UNFAVORITE, Tuple.of(articleId, user.user())).mapEmpty();
  }

  /**
   * One page, newest first, and the total number of matches, over every shard that can hold a
   * match: the author's for an author filter, the followed authors' for a feed, all otherwise.
   */
  Future<Page> list(ArticleFilter filter, Viewer viewer, int limit, int offset) {
    Map<PhysicalShard, ArticleFilter> parts = partsOf(filter);
    if (parts.size() == 1) {
      var only = parts.entrySet().iterator().next();
      return listOn(only.getKey(), only.getValue(), viewer, limit, offset);
    }
    if (offset >= KEYS_FIRST_OFFSET) return keysFirst(parts, viewer, limit, offset);
    int perShard = (int) Math.min(Integer.MAX_VALUE, (long) offset + limit);
    List<Future<Page>> pages = new ArrayList<>();
    parts.forEach((shard, part) -> pages.add(listOn(shard, part, viewer, perShard, 0)));
    return Future.all(pages).map(done -> {
      List<List<Article>> sorted = new ArrayList<>();
      long total = 0;
      for (Future<Page> page : pages) {
        sorted.add(page.result().articles());
        total += page.result().total();
      }
      return new Page(Merge.page(sorted, NEWEST_FIRST, offset, limit), total);
    });
  }

  /**
   * Deep pages over several shards: merge only (created_at, id) of each shard's first
   * {@code offset + limit} matches (an index scan, no joins, little data), then read the page's
   * rows from the shards that hold them. Two round trips instead of one, but the rows skipped by
   * the offset are never built or sent.
   */
  private Future<Page> keysFirst(Map<PhysicalShard, ArticleFilter> parts, Viewer viewer, int limit, int offset) {
    long perShard = Math.min(Integer.MAX_VALUE, (long) offset + limit);
    List<Future<List<Key>>> keys = new ArrayList<>();
    List<Future<Long>> counts = new ArrayList<>();
    parts.forEach((shard, part) -> {
      String[] sql = keySql.computeIfAbsent(part.where(1), shape -> keyStatements(part));
      Tuple params = Tuple.tuple();
      part.countParams().forEach(params::addValue);
      Tuple keyParams = Tuple.tuple();
      part.params().forEach(keyParams::addValue);
      keyParams.addValue(perShard);
      keys.add(shard.read(viewer, db -> db.preparedQuery(sql[0]).execute(keyParams).map(ArticlesRepository::keys)));
      counts.add(shard.read(viewer, db -> db.preparedQuery(sql[1]).execute(params).map(rows -> rows.iterator().next().getLong(0))));
    });
    return Future.all(keys).compose(ok -> {
      List<List<Key>> sorted = new ArrayList<>();
      for (Future<List<Key>> part : keys) sorted.add(part.result());
      List<Key> page = Merge.page(sorted, KEY_ORDER, offset, limit);
      Future<Map<Long, Article>> rows = rowsOf(page, viewer);
      return Future.all(rows, Future.all(counts)).map(done -> {
        List<Article> articles = new ArrayList<>(page.size());
        for (Key key : page) {
          Article article = rows.result().get(key.id());
          if (article != null) articles.add(article); // deleted between the two reads
        }
        long total = 0;
        for (Future<Long> count : counts) total += count.result();
        return new Page(articles, total);
      });
    });
  }

  /** The list rows of the given articles, one query per shard that holds some of them. */
  private Future<Map<Long, Article>> rowsOf(List<Key> page, Viewer viewer) {
    List<Future<RowSet<Row>>> reads = new ArrayList<>();
    shards.group(page, Key::id).forEach((shard, ids) -> {
      Tuple params = Tuple.of(viewer.id(), (Object) ids.stream().map(Key::id).toArray(Long[]::new));
      reads.add(shard.read(viewer, db -> db.preparedQuery(BY_IDS).execute(params)));
    });
    return Future.all(reads).map(done -> {
      Map<Long, Article> out = new HashMap<>();
      for (Future<RowSet<Row>> read : reads) for (Row row : read.result()) out.put(row.getLong("id"), Article.from(row, false));
      return out;
    });
  }

  private static List<Key> keys(RowSet<Row> rows) {
    List<Key> out = new ArrayList<>(rows.size());
    for (Row row : rows) out.add(new Key(row.getLong(0), row.getOffsetDateTime(1)));
    return out;
  }

  private Map<PhysicalShard, ArticleFilter> partsOf(ArticleFilter filter) {
    Map<PhysicalShard, ArticleFilter> parts = new LinkedHashMap<>();
    if (filter.authorId() != null) {
      parts.put(shards.byId(filter.authorId()), filter);
    } else if (filter.authorIds() != null) {
      shards.group(filter.authorIds(), Long::longValue).forEach((shard, ids) -> parts.put(shard, filter.withAuthors(ids)));
    } else {
      for (PhysicalShard shard : shards.all()) parts.put(shard, filter);
    }
    return parts;
  }

  private Future<Page> listOn(PhysicalShard shard, ArticleFilter filter, Viewer viewer, int limit, int offset) {
    String[] sql = listSql.computeIfAbsent(filter.where(1), shape -> listStatements(filter));
    List<Object> filterParams = filter.params();
    Tuple pageParams = Tuple.tuple().addValue(viewer.id());
    filterParams.forEach(pageParams::addValue);
    pageParams.addValue((long) limit).addValue((long) offset);
    Tuple countParams = Tuple.tuple();
    filter.countParams().forEach(countParams::addValue);
    return shard.read(viewer, db -> onOneConnection(db, conn -> {
      Future<RowSet<Row>> page = conn.preparedQuery(sql[0]).execute(pageParams);
      Future<RowSet<Row>> count = conn.preparedQuery(sql[1]).execute(countParams);
      return Future.all(page, count).map(done -> {
        List<Article> articles = new ArrayList<>(page.result().size());
        for (Row row : page.result()) articles.add(Article.from(row, false));
        return new Page(articles, count.result().iterator().next().getLong(0));
      });
    }));
  }

  /**
   * Runs both statements of a page on one pooled connection, pipelined: one connection checkout
   * and one network flush instead of two, which matters when a list fans out to every shard.
   */
  private static <T> Future<T> onOneConnection(SqlClient db, Function<SqlClient, Future<T>> work) {
    return db instanceof Pool pool ? pool.withConnection(work::apply) : work.apply(db);
  }

  /** Runs a write on the primary of the shard that holds {@code routingId}, then records it for read-your-writes. */
  private Future<RowSet<Row>> write(long routingId, Viewer viewer, String sql, Tuple params) {
    return shards.write(routingId, viewer, db -> db.preparedQuery(sql).execute(params));
  }

  /** [key statement, count statement] for one filter shape (the count's parameters: {@link ArticleFilter#countParams}). */
  private static String[] keyStatements(ArticleFilter filter) {
    int params = filter.params().size();
    String keys = "SELECT a.id, a.created_at FROM articles a" + filter.where(1)
        + " ORDER BY a.created_at DESC, a.id DESC LIMIT $" + (params + 1);
    return new String[] {keys, filter.countSql()};
  }

  /** [page statement, count statement] for one filter shape; the page's $1 is the viewer, the count's its own. */
  private static String[] listStatements(ArticleFilter filter) {
    int params = filter.params().size();
    String page = ITEM + " FROM articles a JOIN users u ON u.id = a.author_id" + filter.where(2)
        + " ORDER BY a.created_at DESC, a.id DESC LIMIT $" + (params + 2) + " OFFSET $" + (params + 3);
    return new String[] {page, filter.countSql()};
  }

  record Page(List<Article> articles, long total) {}

  /** An article for one viewer; {@code following} (of its author) is null when it was not read with it. */
  record Viewed(Article article, Boolean following) {}

  /** An article's place in the list order. */
  record Key(long id, OffsetDateTime createdAt) {}
}
