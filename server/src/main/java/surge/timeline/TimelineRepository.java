package surge.timeline;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import surge.db.Merge;
import surge.db.PhysicalShard;
import surge.db.Shards;

/**
 * What timelines read from PostgreSQL, always on the primaries (a timeline written from a replica's older view would
 * stay wrong after the replica caught up): followers by author (every shard: follows live with the follower, migration
 * V5 indexes them by followee), an article's creation time, an author's newest articles, and a rebuild's newest
 * articles of many authors.
 */
public final class TimelineRepository {
  private static final String FOLLOWERS = "SELECT follower_id FROM follows WHERE followee_id = $1 LIMIT $2";
  private static final String CREATED = "SELECT (extract(epoch FROM created_at) * 1000)::bigint FROM articles WHERE id = $1";
  private static final String NEWEST = "SELECT id, (extract(epoch FROM created_at) * 1000)::bigint FROM articles"
      + " WHERE author_id = ANY($1) ORDER BY created_at DESC, id DESC LIMIT $2";
  private static final String COUNT = "SELECT count(*) FROM articles WHERE author_id = ANY($1)";

  private final Shards shards;

  public TimelineRepository(Shards shards) {
    this.shards = shards;
  }

  /** Up to {@code limit} followers of the author from each shard: more than {@code limit} in all makes a hybrid author. */
  Future<List<Long>> followers(long author, int limit) {
    List<Future<RowSet<Row>>> parts = new ArrayList<>();
    for (PhysicalShard shard : shards.all()) {
      parts.add(shard.primary().preparedQuery(FOLLOWERS).execute(Tuple.of(author, limit)));
    }
    return Future.all(parts).map(done -> {
      List<Long> out = new ArrayList<>();
      for (Future<RowSet<Row>> part : parts) for (Row row : part.result()) out.add(row.getLong(0));
      return out;
    });
  }

  /** The article's creation time (epoch ms), empty when it is gone: a late or repeated event must not bring it back. */
  Future<Optional<Long>> createdMs(long articleId) {
    return shards.byId(articleId).primary().preparedQuery(CREATED).execute(Tuple.of(articleId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  /** The newest {@code n} articles of these authors over every shard, newest first. */
  public Future<List<Entry>> newest(Collection<Long> authors, int n) {
    if (authors.isEmpty()) return Future.succeededFuture(List.of());
    List<Future<List<Entry>>> parts = new ArrayList<>();
    shards.group(authors, Long::longValue).forEach((shard, ids) -> parts.add(shard.primary().preparedQuery(NEWEST)
        .execute(Tuple.of(ids.toArray(Long[]::new), n)).map(TimelineRepository::entries)));
    return Future.all(parts).map(done -> {
      List<List<Entry>> sorted = new ArrayList<>();
      for (Future<List<Entry>> part : parts) sorted.add(part.result());
      return Merge.page(sorted, Entry.NEWEST_FIRST, 0, n);
    });
  }

  /** How many articles these authors have (the count of a timeline cut at its capacity). */
  public Future<Long> count(Collection<Long> authors) {
    if (authors.isEmpty()) return Future.succeededFuture(0L);
    List<Future<Long>> parts = new ArrayList<>();
    shards.group(authors, Long::longValue).forEach((shard, ids) -> parts.add(shard.primary().preparedQuery(COUNT)
        .execute(Tuple.of((Object) ids.toArray(Long[]::new))).map(rows -> rows.iterator().next().getLong(0))));
    return Future.all(parts).map(done -> parts.stream().mapToLong(Future::result).sum());
  }

  private static List<Entry> entries(RowSet<Row> rows) {
    List<Entry> out = new ArrayList<>(rows.size());
    for (Row row : rows) out.add(new Entry(row.getLong(0), row.getLong(1)));
    return out;
  }
}
