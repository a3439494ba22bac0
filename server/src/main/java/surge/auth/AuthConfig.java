package surge.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/** Tokens: Surge's own HS256 ones and those of external issuers ({@code auth.*}; see {@link Tokens}). */
@Doc("Tokens: Surge's own HS256 tokens and those of external issuers ([operations.md](operations.md#external-issuers-and-key-rotation)).")
public record AuthConfig(
    @Doc("HMAC key of HS256 tokens; empty in `dev` = a random key per process, logged as a warning; `prod` needs 32+"
        + " characters.") String jwtSecret,
    @Doc("`iss` of issued tokens, accepted on incoming ones.") String issuer,
    @Doc("Token lifetime.") @Range(min = 60_000, max = 365 * 86_400_000L) long tokenTtlMs,
    @Doc("`aud` of issued tokens; incoming tokens must include it.") String audience,
    @Doc("HS256 secrets that still verify but no longer sign, comma-separated: rotate by making the old secret a previous"
        + " one until its last tokens expired.") List<String> jwtPreviousSecrets,
    @Doc("Further `iss` values accepted: tokens of an external OAuth2/OIDC issuer, signed by a key of `auth.jwksFile` or"
        + " `auth.jwksUrl`, whose user `auth.externalUserClaim` names.") List<String> externalIssuers,
    @Doc("A JWK set file (`{\"keys\":[…]}`) of further verification keys, e.g. an OIDC provider's public keys; excludes"
        + " `auth.jwksUrl`.") String jwksFile,
    @Doc("How often that file is re-read (a bad file keeps the previous keys).") @Range(min = 1000, max = 86_400_000)
    int jwksReloadMs,
    @Doc("Where to fetch a JWK set of further verification keys, e.g. an OIDC provider's `jwks_uri`: `https://…`, or"
        + " `http://` to a loopback host; excludes `auth.jwksFile`.") String jwksUrl,
    @Doc("How often that set is fetched again; a shorter `Cache-Control: max-age` of the response wins.")
    @Range(min = 1000, max = 86_400_000) int jwksRefreshMs,
    @Doc("Least time between two fetches caused by tokens naming an unknown key (`kid`); also the floor of a response's"
        + " max-age and the retry delay after a failed fetch.") @Range(min = 1000, max = 3_600_000) int jwksMinRefreshMs,
    @Doc("Allow `auth.jwksUrl` over plain http to a host that is not loopback (anyone on the path could swap the keys: a"
        + " trusted network only).") boolean jwksAllowHttp,
    @Doc("Which Surge user an external issuer's token speaks for: `sub`, its `sub` is the Surge user id; `email`, the"
        + " account bearing its `email` claim (any case), which must come with `\"email_verified\": true`. Surge's own"
        + " tokens always carry the user id in `sub`.") String externalUserClaim) implements Checked {
  public static final String USER_BY_SUB = "sub";
  public static final String USER_BY_EMAIL = "email";

  public AuthConfig {
    jwksUrl = jwksUrl.trim();
  }

  /** Whether external tokens are matched to accounts by their verified e-mail rather than by {@code sub}. */
  public boolean externalUserByEmail() {
    return USER_BY_EMAIL.equals(externalUserClaim);
  }

  @Override
  public void check() {
    if (issuer.isBlank() || audience.isBlank()) {
      throw ConfigException.keys("auth.issuer", "auth.audience", "must not be empty");
    }
    checkJwksSource();
    // Exact spelling only: a typo must stop the node, not quietly keep matching by sub.
    if (!externalUserClaim.equals(USER_BY_SUB) && !externalUserClaim.equals(USER_BY_EMAIL)) {
      throw ConfigException.key("auth.externalUserClaim", "expected sub or email, got '" + externalUserClaim + "'");
    }
  }

  /** The checks only the prod profile makes: secrets long enough that they cannot be guessed. */
  public void checkForProduction() {
    if (jwtSecret.length() < 32) {
      throw ConfigException.key("auth.jwtSecret", "must be set to at least 32 characters in the prod profile");
    }
    if (jwtPreviousSecrets.stream().anyMatch(s -> s.length() < 32)) {
      throw ConfigException.key("auth.jwtPreviousSecrets", "every secret must have at least 32 characters in the prod profile");
    }
  }

  /** At most one JWK set source, and a URL whose keys cannot be swapped on the way unless the operator said so. */
  private void checkJwksSource() {
    if (!jwksFile.isBlank() && !jwksUrl.isBlank()) {
      throw ConfigException.keys("auth.jwksFile", "auth.jwksUrl", "exclude each other: set one");
    }
    if (jwksUrl.isBlank()) return;
    URI uri = jwksUri(jwksUrl);
    if (uri.getScheme().equalsIgnoreCase("http") && !loopbackHost(uri.getHost()) && !jwksAllowHttp) {
      throw ConfigException.key("auth.jwksUrl", "plain http is allowed to a loopback host only, got '" + jwksUrl
          + "'; use https, or set auth.jwksAllowHttp=true on a trusted network");
    }
  }

  private static URI jwksUri(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null) return uri;
    } catch (URISyntaxException e) {
      // reported below, with the key's name
    }
    throw ConfigException.key("auth.jwksUrl", "expected an absolute https:// or http:// URL, got '" + url + "'");
  }

  /** By name only: resolving it here would block, and DNS can be answered by someone else. */
  static boolean loopbackHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.equals("[::1]") || h.matches("127(\\.\\d{1,3}){3}");
  }
}
