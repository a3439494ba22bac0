package surge.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import surge.core.ApiError;

/**
 * Which Surge user a verified token of an external issuer speaks for ({@code auth.externalUserClaim}).
 *
 * <ul>
 *   <li>{@code sub}: its subject is the Surge user id, as in Surge's own tokens.</li>
 *   <li>{@code email}: the account bearing its {@code email} claim (any case), which the issuer must vouch for with
 *       {@code "email_verified": true} — an unverified address proves nothing about who holds it. Accounts are never
 *       created here: an address without one is refused. The {@code sub} claim is ignored, since a provider's subject
 *       ids are its own.</li>
 * </ul>
 */
final class ExternalUsers {
  private final AccountCache accounts;

  /** {@code accounts} is used only when matching by e-mail. */
  ExternalUsers(AuthConfig config, AccountLookup accounts) {
    this.accounts = config.externalUserByEmail() ? new AccountCache(accounts) : null;
  }

  /**
   * The user id, or a 401 {@link ApiError} when the token names no account; a lookup that could not be made fails
   * with its own cause, so that the error path answers 503 rather than telling a valid user their token is bad.
   */
  Future<Long> userId(JsonObject claims) {
    if (accounts == null) return Tokens.subject(claims);
    String email = verifiedEmail(claims);
    if (email == null) return Future.failedFuture(ApiError.unverifiedEmail());
    return accounts.userId(email).compose(id -> id.isPresent()
        ? Future.succeededFuture(id.getAsLong())
        : Future.failedFuture(ApiError.noAccount()));
  }

  /** The {@code email} claim when {@code email_verified} is the JSON boolean true (not the string), else null. */
  static String verifiedEmail(JsonObject claims) {
    Object email = claims.getValue("email");
    boolean verified = Boolean.TRUE.equals(claims.getValue("email_verified"));
    return verified && email instanceof String address && !address.isBlank() ? address : null;
  }
}
