package surge.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.UUID;

/**
 * A blocking test client for one node. Calls {@code await()} on the JUnit thread (never on an
 * event loop), so tests read as plain request/assert steps.
 */
public final class Client {
  private final WebClient web;
  private final int port;

  public Client(Vertx vertx, int port) {
    this.web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    this.port = port;
  }

  public int port() {
    return port;
  }

  public HttpResponse<Buffer> get(String path, String token) {
    return send(HttpMethod.GET, path, token, null);
  }

  public HttpResponse<Buffer> get(String path) {
    return get(path, null);
  }

  public HttpResponse<Buffer> post(String path, String token, JsonObject body) {
    return send(HttpMethod.POST, path, token, body);
  }

  public HttpResponse<Buffer> put(String path, String token, JsonObject body) {
    return send(HttpMethod.PUT, path, token, body);
  }

  public HttpResponse<Buffer> delete(String path, String token) {
    return send(HttpMethod.DELETE, path, token, null);
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, String token, JsonObject body) {
    HttpRequest<Buffer> request = web.request(method, path);
    if (token != null) request.putHeader("Authorization", "Token " + token);
    return body == null ? request.send().await() : request.sendJsonObject(body).await();
  }

  /** Sends raw bytes as the body, for malformed-input tests. */
  public HttpResponse<Buffer> raw(HttpMethod method, String path, String token, String contentType, Buffer body) {
    HttpRequest<Buffer> request = web.request(method, path);
    if (token != null) request.putHeader("Authorization", "Token " + token);
    if (contentType != null) request.putHeader("Content-Type", contentType);
    return request.sendBuffer(body).await();
  }

  /** A unique name for test data, so tests pass on a database that earlier runs used. */
  public static String unique(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** Registers a fresh user; returns their {@code user} object (with token). */
  public JsonObject register(String prefix) {
    String name = unique(prefix);
    JsonObject user = new JsonObject().put("username", name).put("email", name + "@example.com")
        .put("password", "password-" + name);
    HttpResponse<Buffer> r = post("/api/users", null, new JsonObject().put("user", user));
    if (r.statusCode() != 201) throw new AssertionError("register failed: " + r.statusCode() + " " + r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("user").put("password", user.getString("password"));
  }

  /** Creates an article as {@code token}; returns the {@code article} object. */
  public JsonObject article(String token, String title, String... tags) {
    JsonObject article = new JsonObject().put("title", title).put("description", "about " + title)
        .put("body", "body of " + title).put("tagList", new io.vertx.core.json.JsonArray(java.util.List.of((Object[]) tags)));
    HttpResponse<Buffer> r = post("/api/articles", token, new JsonObject().put("article", article));
    if (r.statusCode() != 201) throw new AssertionError("create article failed: " + r.statusCode() + " " + r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article");
  }
}
