package surge.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class KeyReferenceTest {
  @Doc("Where the node listens.")
  record Net(@Doc("Its port.") @Range(min = 1, max = 65535) int port, @Doc("A | in text.") String host) {}

  record Root(@Doc("`dev` or `prod`.") String profile, Net net) {}

  record Undocumented(int port) {}

  record Unranged(@Doc("No range.") int port) {}

  private static final JsonObject TREE = new JsonObject("{\"profile\": \"dev\", \"net\": {\"port\": 80, \"host\": \"\"}}");

  @Test
  void rendersOneRowPerKeyWithItsVariableDefaultRangeAndMeaning() {
    String md = KeyReference.render(Root.class, TREE);
    assertTrue(md.contains("| `profile` | `SURGE_PROFILE` | text | `dev` |  | `dev` or `prod`. |"), md);
    assertTrue(md.contains("### `net.*`\n\nWhere the node listens."), md);
    assertTrue(md.contains("| `net.port` | `SURGE_NET_PORT` | whole number | `80` | 1 – 65535 | Its port. |"), md);
    assertTrue(md.contains("| `net.host` | `SURGE_NET_HOST` | text | empty |  | A \\| in text. |"), md);
  }

  @Test
  void aKeyWithoutMeaningOrAWholeNumberWithoutRangeIsRefused() {
    JsonObject port = new JsonObject().put("port", 80);
    assertTrue(assertThrows(IllegalStateException.class, () -> KeyReference.render(Undocumented.class, port))
        .getMessage().contains("@Doc"));
    assertTrue(assertThrows(IllegalStateException.class, () -> KeyReference.render(Unranged.class, port))
        .getMessage().contains("@Range"));
  }
}
