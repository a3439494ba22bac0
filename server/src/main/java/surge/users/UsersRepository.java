package surge.users;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Locale;
import java.util.Optional;
import surge.core.Viewer;
import surge.db.Ids;
import surge.db.Outbox;
import surge.db.Shards;
import surge.users.Directory.Kind;

/**
 * Users live on the shard their email hashed to at registration (the id keeps it for good); their
 * names are claimed in the {@link Directory} first, so a client never sees a user whose name
 * another user also holds, and a registration cut short leaves nothing a client can see.
 */
final class UsersRepository {
  private static final String NOW_MS = "date_trunc('milliseconds', now())";
  private static final String COLUMNS = "id, username, email, bio, image";
  private static final String NEXT_ID = "SELECT surge_next_id($1)";
  // Events carry the user id and username only: email is personal data and stays out of the stream.
  private static final String USER_DATA = "jsonb_build_object('userId', u.id::text, 'username', u.username)";
  private static final String INSERT = "WITH u AS (INSERT INTO users (id, username, email, password_hash, created_at, updated_at)"
      + " VALUES ($1, $2, $3, $4, " + NOW_MS + ", " + NOW_MS + ") RETURNING " + COLUMNS + "),"
      + " ev AS (" + Outbox.insert(Outbox.USER, "surge.user.registered", "u.id", USER_DATA, "u") + ")"
      + " SELECT " + COLUMNS + " FROM u";
  private static final String BY_ID = "SELECT " + COLUMNS + ", password_hash FROM users WHERE id = $1";
  private static final String UPDATE = "WITH u AS (UPDATE users SET username = $2, email = $3,"
      + " password_hash = coalesce($4, password_hash), bio = $5, image = $6, updated_at = " + NOW_MS
      + " WHERE id = $1 RETURNING " + COLUMNS + "),"
      + " ev AS (" + Outbox.insert(Outbox.USER, "surge.user.updated", "u.id", USER_DATA, "u") + ")"
      + " SELECT " + COLUMNS + " FROM u";

  private final Shards shards;
  private final Directory directory;

  UsersRepository(Shards shards) {
    this.shards = shards;
    this.directory = new Directory(shards);
  }

  /** [usernameTaken, emailTaken], counting only names that existing users bear. */
  Future<boolean[]> taken(String username, String email) {
    Future<Boolean> name = directory.taken(Kind.USERNAME, username);
    Future<Boolean> mail = directory.taken(Kind.EMAIL, email);
    return Future.all(name, mail).map(done -> new boolean[] {name.result(), mail.result()});
  }

  /** Claims both names, then writes the user; a failed step gives back what earlier steps claimed. */
  Future<User> insert(String username, String email, String passwordHash) {
    int logical = Ids.shardForKey(email);
    return shards.writeLogical(logical, (User user) -> Viewer.of(user.id()), db -> db.preparedQuery(NEXT_ID)
        .execute(Tuple.of(logical))
        .map(rows -> rows.iterator().next().getLong(0))
        .compose(id -> directory.reserve(Kind.USERNAME, username, id)
            .compose(done -> directory.reserve(Kind.EMAIL, email, id)
                .recover(failure -> giveBack(failure, directory.release(Kind.USERNAME, username, id))))
            .compose(done -> db.preparedQuery(INSERT).execute(Tuple.of(id, username, email, passwordHash))
                .recover(failure -> giveBack(failure, Future.join(
                    directory.release(Kind.USERNAME, username, id), directory.release(Kind.EMAIL, email, id)))))
            .map(rows -> User.from(rows.iterator().next()))));
  }

  /** The user with their password hash. */
  Future<Optional<Credentials>> byId(long id) {
    return shards.byId(id).primary().preparedQuery(BY_ID).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) return Optional.empty();
      Row row = rows.iterator().next();
      return Optional.of(new Credentials(User.from(row), row.getString("password_hash")));
    });
  }

  /** For login: the user whose email this is, read from primaries so a fresh registration is seen. */
  Future<Optional<Credentials>> byEmail(String email) {
    return directory.holderOf(Kind.EMAIL, email).compose(id -> id == null
        ? Future.succeededFuture(Optional.empty())
        : byId(id).map(found -> found.filter(c -> c.user().email().toLowerCase(Locale.ROOT)
            .equals(email.toLowerCase(Locale.ROOT)))));
  }

  /** Claims changed names first, writes the user, then gives up the old names. */
  Future<User> update(User before, User after, String passwordHashOrNull) {
    long id = before.id();
    Tuple params = Tuple.of(id, after.username(), after.email(), passwordHashOrNull, after.bio(), after.image());
    return shards.write(id, Viewer.of(id), db -> claimChangedNames(before, after)
        .compose(ok -> db.preparedQuery(UPDATE).execute(params)
            .recover(failure -> giveBack(failure, releaseChangedNames(after, before))))
        .compose(rows -> releaseChangedNames(before, after).map(User.from(rows.iterator().next()))));
  }

  /** Reserves the username and email of {@code after} that differ from {@code before}. */
  private Future<Void> claimChangedNames(User before, User after) {
    long id = after.id();
    boolean rename = !before.username().equals(after.username());
    Future<Void> name = rename ? directory.reserve(Kind.USERNAME, after.username(), id) : Future.succeededFuture();
    if (Kind.EMAIL.key(before.email()).equals(Kind.EMAIL.key(after.email()))) return name;
    return name.compose(ok -> directory.reserve(Kind.EMAIL, after.email(), id)
        .recover(failure -> giveBack(failure,
            rename ? directory.release(Kind.USERNAME, after.username(), id) : Future.succeededFuture())));
  }

  /** Releases the names of {@code from} that {@code to} no longer bears. */
  private Future<Void> releaseChangedNames(User from, User to) {
    long id = from.id();
    Future<Void> name = from.username().equals(to.username())
        ? Future.succeededFuture() : directory.release(Kind.USERNAME, from.username(), id);
    Future<Void> mail = Kind.EMAIL.key(from.email()).equals(Kind.EMAIL.key(to.email()))
        ? Future.succeededFuture() : directory.release(Kind.EMAIL, from.email(), id);
    return Future.join(name, mail).mapEmpty();
  }

  /** Undoes earlier steps, then fails with the original failure (the undo's own outcome is secondary). */
  private static <T> Future<T> giveBack(Throwable failure, Future<?> undo) {
    return undo.transform(ignored -> Future.failedFuture(failure));
  }

  record Credentials(User user, String passwordHash) {}
}
