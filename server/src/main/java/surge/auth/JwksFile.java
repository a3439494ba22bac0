package surge.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JWK set file {@code auth.jwksFile}, re-read on a worker every {@code auth.jwksReloadMs}. */
final class JwksFile implements KeySource {
  private static final Logger log = LoggerFactory.getLogger(JwksFile.class);

  private final Vertx vertx;
  private final String file;
  private final long reloadMs;
  private final Consumer<List<JsonObject>> publish;
  private volatile String text = "";
  private volatile int keyCount;
  private volatile KeySetStatus status;
  private long timer = -1;

  /** Reads the file at once: Tokens is built on the start-up worker, and a bad file must stop the node there. */
  JwksFile(Vertx vertx, AuthConfig config, Consumer<List<JsonObject>> publish) {
    this.vertx = vertx;
    this.file = config.jwksFile();
    this.reloadMs = config.jwksReloadMs();
    this.publish = publish;
    this.status = KeySetStatus.initial("file", file);
    load();
  }

  @Override
  public synchronized Future<Void> open() {
    if (timer < 0) timer = vertx.setPeriodic(reloadMs, id -> reload());
    return Future.succeededFuture();
  }

  /** Never looks: the timer re-reads the file, and a read per unknown key would be blocking work clients could drive. */
  @Override
  public Future<Boolean> unknownKey() {
    return Future.succeededFuture(false);
  }

  @Override
  public KeySetStatus status() {
    return status;
  }

  @Override
  public synchronized Future<Void> close() {
    if (timer >= 0) vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void reload() {
    vertx.executeBlocking(() -> {
      load();
      return null;
    }).onFailure(err -> {
      status = status.failed(err.getMessage());
      log.warn("auth.jwksFile {} not reloaded, keeping the previous keys: {}", file, err.getMessage());
    });
  }

  private void load() {
    String read = read();
    if (!read.equals(text)) {
      List<JsonObject> keys = parse(read);
      publish.accept(keys);
      text = read;
      keyCount = keys.size();
      log.info("auth: {} key(s) from {} in use", keys.size(), file);
    }
    status = status.loaded(keyCount);
  }

  private String read() {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read auth.jwksFile " + file + ": " + e.getMessage(), e);
    }
  }

  private List<JsonObject> parse(String json) {
    JsonArray keys = new JsonObject(json).getJsonArray("keys");
    if (keys == null) throw new IllegalStateException("auth.jwksFile " + file + " has no \"keys\" array");
    List<JsonObject> list = new ArrayList<>();
    for (Object key : keys) list.add((JsonObject) key);
    return list;
  }
}
