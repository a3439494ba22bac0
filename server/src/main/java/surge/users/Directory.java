package surge.users;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Locale;
import surge.core.ApiError;
import surge.core.Viewer;
import surge.db.PhysicalShard;
import surge.db.Shards;

/**
 * The uniqueness directory: one row per taken username and per lower-cased email, on the shard the
 * name hashes to, pointing at the user's id. Reserving a name is an insert on that row's primary
 * key, so two concurrent claims cannot both win, whichever nodes they run on.
 *
 * <p>A row is written before the user row it names (which lives on another shard), so a crash in
 * between leaves a row whose user does not exist; a rename leaves the old name pointing at a user
 * who now has another. Such rows are stale: a claim older than {@link #GRACE_SECONDS} whose user
 * does not bear the name any more is taken over by the next registration.
 */
final class Directory {
  static final int GRACE_SECONDS = 30;

  /** Which directory: the table, its key column, and how a user row spells the key. */
  enum Kind {
    USERNAME("usernames", "username", "username"),
    EMAIL("emails", "email", "email");

    final String reserve;
    final String holder;
    final String takeOver;
    final String release;
    final String owner;
    final String field;

    Kind(String table, String column, String field) {
      this.field = field;
      this.reserve = "INSERT INTO " + table + " (" + column + ", user_id) VALUES ($1, $2)"
          + " ON CONFLICT (" + column + ") DO NOTHING RETURNING user_id";
      this.holder = "SELECT user_id, reserved_at < now() - interval '" + GRACE_SECONDS + " seconds' AS old"
          + " FROM " + table + " WHERE " + column + " = $1";
      this.takeOver = "UPDATE " + table + " SET user_id = $3, reserved_at = now() WHERE " + column + " = $1 AND user_id = $2";
      this.release = "DELETE FROM " + table + " WHERE " + column + " = $1 AND user_id = $2";
      this.owner = "SELECT " + column + " FROM users WHERE id = $1";
    }

    String key(String value) {
      return this == EMAIL ? value.toLowerCase(Locale.ROOT) : value;
    }
  }

  private final Shards shards;

  Directory(Shards shards) {
    this.shards = shards;
  }

  /** True when the name belongs to an existing user (stale and pending rows do not count). */
  Future<Boolean> taken(Kind kind, String name) {
    String key = kind.key(name);
    PhysicalShard shard = shards.byKey(key);
    return shard.primary().preparedQuery(kind.holder).execute(Tuple.of(key)).compose(rows -> {
      if (rows.size() == 0) return Future.succeededFuture(false);
      return bearsName(kind, rows.iterator().next().getLong("user_id"), key);
    });
  }

  /** Claims the name for {@code userId}, or fails with 409 on that field. */
  Future<Void> reserve(Kind kind, String name, long userId) {
    String key = kind.key(name);
    PhysicalShard shard = shards.byKey(key);
    return shards.<Void>writeLogical(surge.db.Ids.shardForKey(key), done -> Viewer.of(userId),
        db -> db.preparedQuery(kind.reserve).execute(Tuple.of(key, userId))
            .compose(rows -> rows.size() == 1 ? Future.succeededFuture() : takeOverIfStale(kind, shard, key, userId)));
  }

  /** Gives up a claim; only the claimant's own row is removed. */
  Future<Void> release(Kind kind, String name, long userId) {
    String key = kind.key(name);
    PhysicalShard shard = shards.byKey(key);
    return shard.primary().preparedQuery(kind.release).execute(Tuple.of(key, userId)).mapEmpty();
  }

  /** The email directory row, for login: who holds this address. */
  Future<Long> holderOf(Kind kind, String name) {
    String key = kind.key(name);
    return shards.byKey(key).primary().preparedQuery(kind.holder).execute(Tuple.of(key))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("user_id"));
  }

  private Future<Void> takeOverIfStale(Kind kind, PhysicalShard shard, String key, long userId) {
    return shard.primary().preparedQuery(kind.holder).execute(Tuple.of(key)).compose(rows -> {
      if (rows.size() == 0) return reserveAgain(kind, shard, key, userId); // released meanwhile
      Row row = rows.iterator().next();
      long holder = row.getLong("user_id");
      if (!row.getBoolean("old")) return Future.failedFuture(ApiError.taken(kind.field));
      return bearsName(kind, holder, key).compose(live -> live
          ? Future.failedFuture(ApiError.taken(kind.field))
          : shard.primary().preparedQuery(kind.takeOver).execute(Tuple.of(key, holder, userId)).compose(updated ->
              updated.rowCount() == 1 ? Future.succeededFuture() : Future.failedFuture(ApiError.taken(kind.field))));
    });
  }

  private Future<Void> reserveAgain(Kind kind, PhysicalShard shard, String key, long userId) {
    return shard.primary().preparedQuery(kind.reserve).execute(Tuple.of(key, userId)).compose(rows ->
        rows.size() == 1 ? Future.succeededFuture() : Future.failedFuture(ApiError.taken(kind.field)));
  }

  /** Whether the user row still carries this name (the directory row is live). */
  private Future<Boolean> bearsName(Kind kind, long userId, String key) {
    return shards.byId(userId).primary().preparedQuery(kind.owner).execute(Tuple.of(userId))
        .map(rows -> rows.size() == 1 && kind.key(rows.iterator().next().getString(0)).equals(key));
  }
}
