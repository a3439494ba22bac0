package surge.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class AuthHandlerTest {
  @Test
  void tokenAndBearerSchemesGiveTheToken() {
    assertEquals("x", AuthHandler.tokenOf("Token x"));
    assertEquals("x", AuthHandler.tokenOf("Bearer x"));
    assertEquals("eyJ.a.b", AuthHandler.tokenOf("Token eyJ.a.b"));
  }

  @Test
  void schemeIsCaseInsensitive() {
    for (String scheme : new String[] {"token", "TOKEN", "tOkEn", "bearer", "BEARER", "bEaReR"}) {
      assertEquals("x", AuthHandler.tokenOf(scheme + " x"), scheme);
    }
  }

  @Test
  void surroundingSpacesOfTheTokenAreIgnored() {
    assertEquals("x", AuthHandler.tokenOf("Token   x  "));
  }

  @Test
  void otherSchemesMissingTokensAndMissingHeadersGiveNull() {
    for (String header : new String[] {"Basic x", "Digest x", "Tokenx", "Token", "Token ", "Token    ", "Bearer",
        "Bearer ", "", " ", " Token x", "x"}) {
      assertNull(AuthHandler.tokenOf(header), "'" + header + "'");
    }
    assertNull(AuthHandler.tokenOf(null));
  }
}
