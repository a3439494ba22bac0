package surge.auth;

import io.vertx.core.Future;

/**
 * How tokens of an external issuer find the Surge account they speak for. The users feature owns that data and
 * implements this (see {@code surge.users.UsersService#accounts}); the auth package only asks.
 */
@FunctionalInterface
public interface AccountLookup {

  /**
   * The id of the user whose e-mail this is, matched case-insensitively, or null when no account bears it. Never
   * blocks; fails only when the lookup itself could not be made (e.g. the database is unreachable).
   */
  Future<Long> userIdByEmail(String email);
}
