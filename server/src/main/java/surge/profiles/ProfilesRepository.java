package surge.profiles;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import surge.core.ApiError;
import surge.core.Viewer;
import surge.db.Outbox;
import surge.db.PgErrors;
import surge.db.PhysicalShard;
import surge.db.Shards;

/**
 * Profiles and follows. A username resolves through the directory row on the name's shard to the
 * user row on the user's shard; follows live on the follower's shard. Batched reads take a whole
 * page of ids at once: one query per physical shard, never one per row.
 */
public final class ProfilesRepository {
  private static final String DIRECTORY = "SELECT user_id FROM usernames WHERE username = $1";
  private static final String BY_ID = "SELECT id, username, bio, image FROM users WHERE id = $1";
  private static final String BY_IDS = "SELECT id, username, bio, image FROM users WHERE id = ANY($1)";
  private static final String FOLLOWING_AMONG =
      "SELECT followee_id FROM follows WHERE follower_id = $1 AND followee_id = ANY($2)";
  private static final String FOLLOWEES = "SELECT followee_id FROM follows WHERE follower_id = $1";
  private static final String FOLLOWEES_UP_TO = "SELECT followee_id FROM follows WHERE follower_id = $1 LIMIT $2";
  // Follow events belong to the follower (whose shard holds the follows row); none for a no-op.
  private static final String FOLLOW_DATA = "jsonb_build_object('followerId', f.follower_id::text, 'followeeId', f.followee_id::text)";
  private static final String FOLLOW = "WITH f AS (INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2)"
      + " ON CONFLICT DO NOTHING RETURNING follower_id, followee_id),"
      + " ev AS (" + Outbox.insert(Outbox.USER, "surge.user.followed", "f.follower_id", FOLLOW_DATA, "f") + ")"
      + " SELECT count(*) FROM f";
  private static final String UNFOLLOW = "WITH f AS (DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2"
      + " RETURNING follower_id, followee_id),"
      + " ev AS (" + Outbox.insert(Outbox.USER, "surge.user.unfollowed", "f.follower_id", FOLLOW_DATA, "f") + ")"
      + " SELECT count(*) FROM f";

  private final Shards shards;

  public ProfilesRepository(Shards shards) {
    this.shards = shards;
  }

  /**
   * The user now called {@code username}. A directory row whose user has since been renamed (or
   * whose registration never finished) names nobody.
   */
  public Future<Optional<Profile>> byUsername(String username, Viewer viewer) {
    return read(shards.byKey(username), viewer, DIRECTORY, Tuple.of(username)).compose(rows -> {
      if (rows.size() == 0) return Future.succeededFuture(Optional.<Profile>empty());
      long id = rows.iterator().next().getLong(0);
      return read(shards.byId(id), viewer, BY_ID, Tuple.of(id)).map(users -> users.size() == 0
          ? Optional.<Profile>empty()
          : Optional.of(Profile.from(users.iterator().next(), "id")).filter(p -> p.username().equals(username)));
    });
  }

  public Future<Map<Long, Profile>> byIds(Collection<Long> ids, Viewer viewer) {
    if (ids.isEmpty()) return Future.succeededFuture(Map.of());
    List<Future<RowSet<Row>>> reads = new ArrayList<>();
    shards.group(new HashSet<>(ids), Long::longValue).forEach((shard, group) ->
        reads.add(read(shard, viewer, BY_IDS, Tuple.of((Object) group.toArray(Long[]::new)))));
    return Future.all(reads).map(done -> {
      Map<Long, Profile> out = new HashMap<>();
      for (Future<RowSet<Row>> read : reads) for (Row row : read.result()) out.put(row.getLong("id"), Profile.from(row, "id"));
      return out;
    });
  }

  /** Which of {@code candidates} the viewer follows; empty for anonymous viewers. */
  public Future<Set<Long>> followingAmong(Viewer viewer, Collection<Long> candidates) {
    if (viewer.isAnonymous() || candidates.isEmpty()) return Future.succeededFuture(Set.of());
    return read(shards.byId(viewer.user()), viewer, FOLLOWING_AMONG,
        Tuple.of(viewer.user(), (Object) candidates.toArray(Long[]::new))).map(ProfilesRepository::idSet);
  }

  public Future<Set<Long>> followees(Viewer viewer) {
    return read(shards.byId(viewer.user()), viewer, FOLLOWEES, Tuple.of(viewer.user())).map(ProfilesRepository::idSet);
  }

  /** Whom {@code user} follows, read on the primary, at most {@code cap} of them (the cached copy, see ProfilesService). */
  public Future<surge.cache.IdSet> followeesUpTo(long user, int cap) {
    return read(shards.byId(user), Viewer.of(user, true), FOLLOWEES_UP_TO, Tuple.of(user, cap + 1)).map(rows -> {
      Set<Long> ids = idSet(rows);
      boolean more = ids.size() > cap;
      if (more) ids.remove(ids.iterator().next());
      return surge.cache.IdSet.of(ids, more);
    });
  }

  public Future<Void> follow(Viewer follower, long followee) {
    return write(follower, FOLLOW, Tuple.of(follower.user(), followee))
        // follower_id is the token's user: gone means the token no longer names an account
        .recover(failure -> Future.failedFuture(PgErrors.isForeignKeyViolation(failure)
            ? ApiError.invalidToken() : failure));
  }

  public Future<Void> unfollow(Viewer follower, long followee) {
    return write(follower, UNFOLLOW, Tuple.of(follower.user(), followee));
  }

  private Future<Void> write(Viewer follower, String sql, Tuple params) {
    return shards.write(follower.user(), follower, db -> db.preparedQuery(sql).execute(params)).mapEmpty();
  }

  private static Future<RowSet<Row>> read(PhysicalShard shard, Viewer viewer, String sql, Tuple params) {
    return shard.read(viewer, client -> client.preparedQuery(sql).execute(params));
  }

  private static Set<Long> idSet(RowSet<Row> rows) {
    Set<Long> ids = new HashSet<>();
    for (Row row : rows) ids.add(row.getLong(0));
    return ids;
  }
}
