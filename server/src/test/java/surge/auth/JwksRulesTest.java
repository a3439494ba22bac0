package surge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The pure rules of {@link JwksUrl}: when to fetch next, and which keys of a fetched set are used. */
class JwksRulesTest {
  private static final long REFRESH_MS = 300_000;
  private static final long MIN_MS = 30_000;

  @Test
  void maxAgeIsReadFromCacheControl() {
    assertEquals(OptionalLong.of(60), JwksUrl.maxAgeSeconds("public, max-age=60, must-revalidate"));
    assertEquals(OptionalLong.of(60), JwksUrl.maxAgeSeconds("Max-Age=\"60\""));
    assertEquals(OptionalLong.of(0), JwksUrl.maxAgeSeconds("no-store"));
    assertEquals(OptionalLong.empty(), JwksUrl.maxAgeSeconds("public"));
    assertEquals(OptionalLong.empty(), JwksUrl.maxAgeSeconds("max-age=soon"));
    assertEquals(OptionalLong.empty(), JwksUrl.maxAgeSeconds(null));
  }

  @Test
  void aShorterMaxAgeWinsButNotBelowTheFloor() {
    assertEquals(REFRESH_MS, JwksUrl.nextRefreshMs(REFRESH_MS, MIN_MS, OptionalLong.empty()));
    assertEquals(REFRESH_MS, JwksUrl.nextRefreshMs(REFRESH_MS, MIN_MS, OptionalLong.of(86_400)), "longer: config wins");
    assertEquals(120_000, JwksUrl.nextRefreshMs(REFRESH_MS, MIN_MS, OptionalLong.of(120)));
    assertEquals(MIN_MS, JwksUrl.nextRefreshMs(REFRESH_MS, MIN_MS, OptionalLong.of(0)), "max-age=0 does not make us poll");
  }

  @Test
  void onlyPublicSignatureKeysAreUsed() {
    JsonObject rsa = new JsonObject().put("kty", "RSA").put("kid", "a").put("n", "AQAB").put("e", "AQAB");
    JsonObject ec = new JsonObject().put("kty", "EC").put("kid", "b").put("use", "sig");
    JsonObject secret = new JsonObject().put("kty", "oct").put("kid", "c").put("k", "c2VjcmV0");
    JsonObject encryption = new JsonObject().put("kty", "RSA").put("kid", "d").put("use", "enc");
    Buffer body = set(rsa, ec, secret, encryption);
    assertEquals(List.of(rsa, ec), JwksUrl.signingKeys(body));
  }

  @Test
  void aResponseWithoutUsableKeysIsRefused() {
    assertThrows(IllegalStateException.class, () -> JwksUrl.signingKeys(Buffer.buffer("<html>")));
    assertThrows(IllegalStateException.class, () -> JwksUrl.signingKeys(Buffer.buffer("{\"keys\":\"none\"}")));
    assertThrows(IllegalStateException.class, () -> JwksUrl.signingKeys(Buffer.buffer("{}")));
    assertThrows(IllegalStateException.class, () -> JwksUrl.signingKeys(null));
    assertThrows(IllegalStateException.class, () -> JwksUrl.signingKeys(set()), "an empty set keeps the last one");
    assertThrows(IllegalStateException.class,
        () -> JwksUrl.signingKeys(set(new JsonObject().put("kty", "oct").put("k", "c2VjcmV0"))));
  }

  private static Buffer set(JsonObject... keys) {
    JsonArray array = new JsonArray();
    for (JsonObject key : keys) array.add(key);
    return new JsonObject().put("keys", array).toBuffer();
  }
}
