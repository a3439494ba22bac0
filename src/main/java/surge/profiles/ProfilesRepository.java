package surge.profiles;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Profiles and follows. Follows live on the follower's shard; batched reads take a whole page of
 * ids at once (one query, never one per row).
 */
public final class ProfilesRepository {
  private static final String BY_USERNAME = "SELECT id, username, bio, image FROM users WHERE username = $1";
  private static final String BY_IDS = "SELECT id, username, bio, image FROM users WHERE id = ANY($1)";
  private static final String FOLLOWING_AMONG =
      "SELECT followee_id FROM follows WHERE follower_id = $1 AND followee_id = ANY($2)";
  private static final String FOLLOWEES = "SELECT followee_id FROM follows WHERE follower_id = $1";
  private static final String FOLLOW =
      "INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
  private static final String UNFOLLOW = "DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2";

  private final Pool pool;

  public ProfilesRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Optional<Profile>> byUsername(String username) {
    return pool.preparedQuery(BY_USERNAME).execute(Tuple.of(username))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Profile.from(rows.iterator().next(), "id")));
  }

  public Future<Map<Long, Profile>> byIds(Collection<Long> ids) {
    if (ids.isEmpty()) return Future.succeededFuture(Map.of());
    return pool.preparedQuery(BY_IDS).execute(Tuple.of((Object) ids.toArray(Long[]::new))).map(rows -> {
      Map<Long, Profile> out = new HashMap<>();
      for (Row row : rows) out.put(row.getLong("id"), Profile.from(row, "id"));
      return out;
    });
  }

  /** Which of {@code candidates} the viewer follows; empty for anonymous viewers. */
  public Future<Set<Long>> followingAmong(Long viewer, Collection<Long> candidates) {
    if (viewer == null || candidates.isEmpty()) return Future.succeededFuture(Set.of());
    return pool.preparedQuery(FOLLOWING_AMONG)
        .execute(Tuple.of(viewer, (Object) candidates.toArray(Long[]::new)))
        .map(ProfilesRepository::idSet);
  }

  public Future<Set<Long>> followees(long follower) {
    return pool.preparedQuery(FOLLOWEES).execute(Tuple.of(follower)).map(ProfilesRepository::idSet);
  }

  public Future<Void> follow(long follower, long followee) {
    return pool.preparedQuery(FOLLOW).execute(Tuple.of(follower, followee)).mapEmpty();
  }

  public Future<Void> unfollow(long follower, long followee) {
    return pool.preparedQuery(UNFOLLOW).execute(Tuple.of(follower, followee)).mapEmpty();
  }

  private static Set<Long> idSet(RowSet<Row> rows) {
    Set<Long> ids = new HashSet<>();
    for (Row row : rows) ids.add(row.getLong(0));
    return ids;
  }
}
