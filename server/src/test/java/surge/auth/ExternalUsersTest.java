package surge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Which claims of an external token count as a verified e-mail under {@code auth.externalUserClaim=email}. */
class ExternalUsersTest {
  @Test
  void onlyAnEmailMarkedVerifiedWithTheBooleanTrueCounts() {
    JsonObject claims = new JsonObject().put("email", "ada@example.com");
    assertEquals("ada@example.com", ExternalUsers.verifiedEmail(claims.copy().put("email_verified", true)));
    assertNull(ExternalUsers.verifiedEmail(claims), "no email_verified");
    assertNull(ExternalUsers.verifiedEmail(claims.copy().put("email_verified", false)));
    assertNull(ExternalUsers.verifiedEmail(claims.copy().put("email_verified", "true")), "a string is not a boolean");
    assertNull(ExternalUsers.verifiedEmail(new JsonObject().put("email_verified", true)), "no email");
    assertNull(ExternalUsers.verifiedEmail(new JsonObject().put("email", " ").put("email_verified", true)));
    assertNull(ExternalUsers.verifiedEmail(new JsonObject().put("email", 5).put("email_verified", true)));
  }
}
