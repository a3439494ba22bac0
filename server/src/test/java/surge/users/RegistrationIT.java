package surge.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.WithNode;

class RegistrationIT extends WithNode {

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
