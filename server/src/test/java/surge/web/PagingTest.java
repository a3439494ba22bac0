package surge.web;

import surge.core.ApiError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

class PagingTest {
  private static final String LIMIT_MESSAGE = "must be a whole number between 1 and 2147483647";
  private static final String OFFSET_MESSAGE = "must be a whole number between 0 and 2147483647";

  private static void assertRejected(String raw, String name, int min, String message) {
    ApiError e = assertThrows(ApiError.class, () -> Paging.parse(raw, name, 20, min), "'" + raw + "'");
    assertEquals(422, e.status());
    assertEquals(new JsonObject().put("errors", new JsonObject().put(name, new io.vertx.core.json.JsonArray().add(message))),
        e.body());
  }

  @Test
  void missingOrEmptyGivesTheDefault() {
    assertEquals(20, Paging.parse(null, "limit", 20, 1));
    assertEquals(20, Paging.parse("", "limit", 20, 1));
    assertEquals(0, Paging.parse(null, "offset", 0, 0));
  }

  @Test
  void wholeNumbersInRangeAreAccepted() {
    assertEquals(1, Paging.parse("1", "limit", 20, 1));
    assertEquals(0, Paging.parse("0", "offset", 0, 0));
    assertEquals(7, Paging.parse(" 7 ", "limit", 20, 1));
    assertEquals(Integer.MAX_VALUE, Paging.parse("2147483647", "offset", 0, 0));
  }

  @Test
  void valuesBelowTheMinimumAreRejected() {
    assertRejected("0", "limit", 1, LIMIT_MESSAGE);
    assertRejected("-1", "limit", 1, LIMIT_MESSAGE);
    assertRejected("-1", "offset", 0, OFFSET_MESSAGE);
    assertRejected("-9223372036854775808", "offset", 0, OFFSET_MESSAGE);
  }

  @Test
  void nonNumbersAreRejected() {
    for (String raw : new String[] {"abc", "1.5", "1e3", "0x10", "ten", " ", "1 2", "--1", "+-1"}) {
      assertRejected(raw, "limit", 1, LIMIT_MESSAGE);
    }
  }

  @Test
  void valuesAboveIntegerMaxValueAreRejected() {
    assertRejected("2147483648", "offset", 0, OFFSET_MESSAGE);
    assertRejected("9223372036854775807", "offset", 0, OFFSET_MESSAGE);
    assertRejected("9223372036854775808", "offset", 0, OFFSET_MESSAGE);
    assertRejected("1" + "0".repeat(30), "limit", 1, LIMIT_MESSAGE);
  }

  /** A RoutingContext that only answers queryParams(): enough for Paging.from, no server needed. */
  private static RoutingContext query(String... pairs) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < pairs.length; i += 2) params.add(pairs[i], pairs[i + 1]);
    return (RoutingContext) Proxy.newProxyInstance(RoutingContext.class.getClassLoader(),
        new Class<?>[] {RoutingContext.class}, (proxy, method, args) -> {
          if (method.getName().equals("queryParams") && (args == null || args.length == 0)) return params;
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void fromUsesDefaultsWhenNothingIsGiven() {
    assertEquals(new Paging(Paging.DEFAULT_LIMIT, 0), Paging.from(query(), 100));
  }

  @Test
  void fromClampsTheLimitToTheMaximumButKeepsTheOffset() {
    assertEquals(new Paging(100, 5000), Paging.from(query("limit", "1000000", "offset", "5000"), 100));
    assertEquals(new Paging(100, 0), Paging.from(query("limit", "2147483647"), 100));
    assertEquals(new Paging(3, 2), Paging.from(query("limit", "3", "offset", "2"), 100));
    assertEquals(new Paging(10, 0), Paging.from(query(), 10), "the default is clamped too");
  }

  @Test
  void fromRejectsABadLimitEvenWhenItWouldBeClamped() {
    ApiError e = assertThrows(ApiError.class, () -> Paging.from(query("limit", "1" + "0".repeat(30)), 100));
    assertEquals(422, e.status());
    e = assertThrows(ApiError.class, () -> Paging.from(query("offset", "-3"), 100));
    assertEquals(422, e.status());
  }
}
