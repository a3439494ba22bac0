package surge.demo;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.articles.ArticlesService.ArticleInput;
import surge.core.Viewer;
import surge.server.Services;

/**
 * A small demo dataset for the README's run command, written through the services (so passwords
 * are hashed and ids, slugs and counters are what the API itself would make). Skipped when the
 * demo users exist already.
 */
public final class DemoData {
  private static final Logger log = LoggerFactory.getLogger(DemoData.class);
  /** Every demo account's password. */
  public static final String PASSWORD = "surge-demo-password";
  private static final String[] USERS = {"jake", "jane", "rosa", "omar"};

  private final Services s;
  private final List<Viewer> users = new ArrayList<>();
  private final List<String> slugs = new ArrayList<>();

  public DemoData(Services services) {
    this.s = services;
  }

  /** Each step is skipped when its data exists, so a seed cut short completes on the next start. */
  public Future<Void> seed() {
    return users()
        .compose(v -> s.articles().list(null, USERS[0], null, Viewer.anonymous(), 1, 0))
        .compose(jakes -> {
          if (jakes.getLong("articlesCount") > 0) {
            log.info("demo data present already");
            return Future.succeededFuture();
          }
          return articles().compose(v -> social())
              .onSuccess(v -> log.info("demo data seeded: {} users, {} articles; password '{}'",
                  USERS.length, slugs.size(), PASSWORD));
        });
  }

  private Future<Void> users() {
    Future<Void> chain = Future.succeededFuture();
    for (String name : USERS) {
      chain = chain.compose(v -> s.profiles().idOf(name, Viewer.anonymous()))
          .compose(id -> id != null ? Future.succeededFuture(id)
              : s.users().register(name, name + "@demo.surge.dev", PASSWORD).map(session -> session.user().id()))
          .map(id -> {
            users.add(Viewer.of(id));
            return null;
          });
    }
    return chain;
  }

  private Future<Void> articles() {
    Object[][] data = {
        {0, "Welcome to Surge", "What this server is", "Surge serves the RealWorld API on Vert.x 5.", List.of("surge", "vertx")},
        {1, "Reactive PostgreSQL in practice", "Pipelining and prepared statements",
            "One connection can carry many queries in flight.", List.of("postgresql", "performance")},
        {2, "Sharding without a lookup", "IDs that know where they live",
            "Every id carries its logical shard.", List.of("postgresql", "sharding")},
        {0, "Event loops never block", "Hash passwords elsewhere", "CPU work goes to a worker pool.",
            List.of("vertx", "performance")},
        {3, "Hello, Conduit", "A first post", "Nothing fancy here.", List.of("welcome")},
    };
    Future<Void> chain = Future.succeededFuture();
    for (Object[] a : data) {
      @SuppressWarnings("unchecked")
      var input = new ArticleInput((String) a[1], (String) a[2], (String) a[3], (List<String>) a[4]);
      Viewer author = users.get((Integer) a[0]);
      chain = chain.compose(v -> s.articles().create(author, input))
          .map(json -> {
            slugs.add(json.getJsonObject("article").getString("slug"));
            return null;
          });
    }
    return chain;
  }

  private Future<Void> social() {
    Viewer jake = users.get(0), jane = users.get(1), rosa = users.get(2), omar = users.get(3);
    List<Future<?>> all = new ArrayList<>();
    all.add(s.profiles().follow(jane, "jake"));
    all.add(s.profiles().follow(rosa, "jake"));
    all.add(s.profiles().follow(jake, "jane"));
    all.add(s.profiles().follow(omar, "rosa"));
    all.add(s.articles().favorite(slugs.get(0), jane, true));
    all.add(s.articles().favorite(slugs.get(0), rosa, true));
    all.add(s.articles().favorite(slugs.get(1), jake, true));
    all.add(s.comments().add(slugs.get(0), jane, "Glad to see this running."));
    all.add(s.comments().add(slugs.get(0), omar, "How many requests per second?"));
    all.add(s.comments().add(slugs.get(2), jake, "Nice trick with the ids."));
    return Future.all(all).<JsonObject>mapEmpty().mapEmpty();
  }
}
