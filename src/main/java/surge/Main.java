package surge;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.config.ConfigException;
import surge.config.ConfigTree;
import surge.config.SurgeConfig;

/**
 * Starts one node: reads configuration once ({@code conf/surge.json}, or the file named by
 * {@code SURGE_CONFIG}, then {@code SURGE_*} variables, then {@code --key=value} arguments), starts
 * Vert.x and the node, and stops it cleanly on SIGTERM.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    SurgeConfig config;
    try {
      Path file = Path.of(System.getenv().getOrDefault("SURGE_CONFIG", "conf/surge.json"));
      config = SurgeConfig.from(ConfigTree.load(file, System.getenv(), List.of(args)));
    } catch (ConfigException e) {
      System.err.println("surge: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    Surge.start(vertx, config)
        .onSuccess(node -> Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          log.info("shutting down");
          node.stop().compose(done -> vertx.close()).await();
        }, "surge-shutdown")))
        .onFailure(failure -> {
          log.error("start-up failed: {}", failure.getMessage(), failure);
          vertx.close();
          System.exit(1);
        });
  }
}
