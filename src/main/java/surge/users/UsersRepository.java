package surge.users;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import surge.db.Ids;
import surge.db.PgErrors;
import surge.http.ApiError;

/**
 * Users and the uniqueness directory ({@code usernames}, {@code emails}). A registration or a
 * rename writes the user row and its directory rows in one statement, so a half-done write is
 * never visible and a concurrent duplicate fails on the directory's primary key.
 */
final class UsersRepository {
  private static final String NOW_MS = "date_trunc('milliseconds', now())";
  private static final String COLUMNS = "id, username, email, bio, image";

  private static final String TAKEN = "SELECT EXISTS (SELECT 1 FROM usernames WHERE username = $1), "
      + "EXISTS (SELECT 1 FROM emails WHERE email = lower($2))";
  private static final String INSERT = "WITH u AS ("
      + " INSERT INTO users (id, username, email, password_hash, created_at, updated_at)"
      + " VALUES (surge_next_id($1), $2, $3, $4, " + NOW_MS + ", " + NOW_MS + ") RETURNING " + COLUMNS + "),"
      + " n AS (INSERT INTO usernames (username, user_id) SELECT username, id FROM u),"
      + " e AS (INSERT INTO emails (email, user_id) SELECT lower(email), id FROM u)"
      + " SELECT * FROM u";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM users WHERE id = $1";
  private static final String BY_EMAIL =
      "SELECT " + COLUMNS + ", password_hash FROM users WHERE lower(email) = lower($1)";
  private static final String UPDATE = "WITH n AS ("
      + " UPDATE usernames SET username = $2 WHERE user_id = $1 AND username <> $2),"
      + " e AS (UPDATE emails SET email = lower($3) WHERE user_id = $1 AND email <> lower($3))"
      + " UPDATE users SET username = $2, email = $3, password_hash = coalesce($4, password_hash),"
      + " bio = $5, image = $6, updated_at = " + NOW_MS + " WHERE id = $1 RETURNING " + COLUMNS;

  private final Pool pool;

  UsersRepository(Pool pool) {
    this.pool = pool;
  }

  /** [usernameTaken, emailTaken]. */
  Future<boolean[]> taken(String username, String email) {
    return pool.preparedQuery(TAKEN).execute(Tuple.of(username, email)).map(rows -> {
      Row row = rows.iterator().next();
      return new boolean[] {row.getBoolean(0), row.getBoolean(1)};
    });
  }

  Future<User> insert(String username, String email, String passwordHash) {
    int shard = Ids.shardForKey(email);
    return pool.preparedQuery(INSERT).execute(Tuple.of(shard, username, email, passwordHash))
        .recover(UsersRepository::conflict)
        .map(rows -> User.from(rows.iterator().next()));
  }

  Future<Optional<User>> byId(long id) {
    return pool.preparedQuery(BY_ID).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(User.from(rows.iterator().next())));
  }

  /** The user and their password hash, for login. */
  Future<Optional<Credentials>> credentials(String email) {
    return pool.preparedQuery(BY_EMAIL).execute(Tuple.of(email)).map(rows -> {
      if (rows.size() == 0) return Optional.empty();
      Row row = rows.iterator().next();
      return Optional.of(new Credentials(User.from(row), row.getString("password_hash")));
    });
  }

  Future<User> update(User changed, String passwordHashOrNull) {
    Tuple params = Tuple.of(changed.id(), changed.username(), changed.email(), passwordHashOrNull,
        changed.bio(), changed.image());
    return pool.preparedQuery(UPDATE).execute(params)
        .recover(UsersRepository::conflict)
        .map(rows -> {
          if (rows.size() == 0) throw ApiError.invalidToken(); // the token's user no longer exists
          return User.from(rows.iterator().next());
        });
  }

  /** A directory primary-key violation is a lost race for a name: 409 on that field. */
  private static <T> Future<T> conflict(Throwable failure) {
    if (PgErrors.isUniqueViolation(failure, "usernames_pkey")) return Future.failedFuture(ApiError.taken("username"));
    if (PgErrors.isUniqueViolation(failure, "emails_pkey")) return Future.failedFuture(ApiError.taken("email"));
    return Future.failedFuture(failure);
  }

  record Credentials(User user, String passwordHash) {}
}
