package surge.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

@ExtendWith(VertxExtension.class)
class RegistrationTest {
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx);
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stop() {
    node.stop();
  }

  @Test
  void registerReturns201WithTokenAndNullBioAndImage() {
    String name = Client.unique("reg");
    HttpResponse<Buffer> r = client.post("/api/users", null, new JsonObject().put("user", new JsonObject()
        .put("username", name).put("email", name + "@example.com").put("password", "password123")));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("application/json; charset=utf-8", r.getHeader("Content-Type"));
    JsonObject user = r.bodyAsJsonObject().getJsonObject("user");
    assertEquals(name, user.getString("username"));
    assertEquals(name + "@example.com", user.getString("email"));
    assertNotNull(user.getString("token"));
    assertNull(user.getValue("bio"));
    assertNull(user.getValue("image"));
    assertEquals(true, user.containsKey("bio") && user.containsKey("image"));
  }
}
