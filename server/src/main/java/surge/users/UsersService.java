package surge.users;

import io.vertx.core.Future;
import surge.auth.AccountLookup;
import surge.auth.PasswordHasher;
import surge.auth.Tokens;
import surge.cache.Caches;
import surge.core.ApiError;
import surge.db.Shards;

/** Registration, login, and the current user's own record. */
public final class UsersService {
  private final UsersRepository repository;
  private final PasswordHasher hasher;
  private final Tokens tokens;
  private final Caches caches;

  public UsersService(Shards shards, PasswordHasher hasher, Tokens tokens, Caches caches) {
    this.repository = new UsersRepository(shards);
    this.hasher = hasher;
    this.tokens = tokens;
    this.caches = caches;
  }

  /**
   * How tokens of an external issuer find their account by e-mail: the login path (the e-mail's directory row, then
   * the user row it points at, from primaries), so an address matches exactly the account login would pick. A
   * function of the shards alone, since the tokens it serves exist before this service does.
   */
  public static AccountLookup accounts(Shards shards) {
    UsersRepository repository = new UsersRepository(shards);
    return email -> repository.byEmail(email).map(found -> found.map(c -> c.user().id()).orElse(null));
  }

  /** A new user and their first token; 409 names every field already taken. */
  public Future<Session> register(String username, String email, String password) {
    return repository.taken(username, email)
        .compose(UsersService::rejectTaken)
        .compose(free -> hasher.hash(password))
        .compose(hash -> repository.insert(username, email, hash))
        .map(this::session);
  }

  public Future<Session> login(String email, String password) {
    return repository.byEmail(email).compose(found -> {
      String stored = found.map(UsersRepository.Credentials::passwordHash).orElse(null);
      return hasher.verify(password, stored).map(ok -> {
        if (!ok) throw ApiError.badCredentials();
        return session(found.get().user());
      });
    });
  }

  public Future<User> current(long userId) {
    return repository.byId(userId).map(c -> c.orElseThrow(ApiError::invalidToken).user());
  }

  /** Applies a checked change; the password, when given, is hashed off the event loop first. */
  public Future<User> update(long userId, UserChange change) {
    Future<String> hash = change.password() == null ? Future.succeededFuture(null) : hasher.hash(change.password());
    return current(userId).compose(user -> hash.compose(h -> repository.update(user, change.applyTo(user), h))
        // the public profile (and every list page showing it as an author) is cached under both names
        .compose(updated -> caches.profileChanged(userId, user.username(), updated.username()).map(updated)));
  }

  private static Future<Void> rejectTaken(boolean[] taken) {
    if (!taken[0] && !taken[1]) return Future.succeededFuture();
    ApiError error = taken[0] && taken[1]
        ? ApiError.conflict(new String[] {"username", "email"})
        : ApiError.taken(taken[0] ? "username" : "email");
    return Future.failedFuture(error);
  }

  private Session session(User user) {
    return new Session(user, tokens.issue(user.id()));
  }

  /** A user with a freshly issued token. */
  public record Session(User user, String token) {}

  /**
   * A PUT /user change after validation. Null username/email/password keep the stored value;
   * {@code bioSet}/{@code imageSet} say whether bio/image were sent (null then clears them).
   */
  public record UserChange(String username, String email, String password,
                           boolean bioSet, String bio, boolean imageSet, String image) {
    User applyTo(User user) {
      return new User(user.id(),
          username != null ? username : user.username(),
          email != null ? email : user.email(),
          bioSet ? bio : user.bio(),
          imageSet ? image : user.image());
    }
  }
}
