package surge.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The benchmark scenarios as realistic user sessions (issue 7): virtual users sign in with the dataset's one
 * password (a real Argon2 check) or register, then browse, favorite, follow and comment, with a status check on
 * every response. Articles, tags and authors are drawn Zipf(s=1) over popularity from the dataset's manifest
 * folder, as the wrk scenarios do.
 *
 * <p>System properties: {@code scenario} (read-anon, read-auth, mixed, write-heavy, connections), {@code baseUrl},
 * {@code dataDir} (benchmarks/data/&lt;name&gt;), {@code users} (concurrent virtual users; for connections the
 * number of connections held), {@code seconds}, {@code password}.
 */
public class SurgeSimulation extends Simulation {
  private static final String SCENARIO = System.getProperty("scenario", "mixed");
  private static final String BASE_URL = System.getProperty("baseUrl", "http://127.0.0.1:18402");
  private static final Path DATA = Path.of(System.getProperty("dataDir", "../data/default"));
  private static final int USERS = Integer.getInteger("users", 32);
  private static final int SECONDS = Integer.getInteger("seconds", 30);
  private static final String PASSWORD = System.getProperty("password", "bench-password");
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
  private static final AtomicLong COUNTER = new AtomicLong();

  private static final List<String> SLUGS = new ArrayList<>();
  private static final List<String> TAGS;
  private static final List<String> AUTHORS;
  private static final List<String> EMAILS = new ArrayList<>();

  static {
    try (Stream<String> users = Files.lines(DATA.resolve("users.csv"));
         Stream<String> articles = Files.lines(DATA.resolve("articles.csv"))) {
      List<String> usernames = new ArrayList<>();
      users.skip(1).map(l -> l.split(",")).forEach(u -> {
        usernames.add(u[2]);
        EMAILS.add(u[3]);
      });
      Map<String, Integer> tagCounts = new HashMap<>();
      Map<String, Integer> authorCounts = new HashMap<>();
      articles.skip(1).map(l -> l.split(",", -1)).forEach(a -> { // rank,id,slug,authorIndex,favoritesCount,tags
        SLUGS.add(a[2]);
        authorCounts.merge(usernames.get(Integer.parseInt(a[3])), 1, Integer::sum);
        for (String tag : a[5].split("\\|")) if (!tag.isEmpty()) tagCounts.merge(tag, 1, Integer::sum);
      });
      TAGS = byCount(tagCounts);
      AUTHORS = byCount(authorCounts);
    } catch (IOException e) {
      throw new UncheckedIOException("no dataset manifest in " + DATA + " (run benchmarks/seed)", e);
    }
  }

  private static List<String> byCount(Map<String, Integer> counts) {
    return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
        .map(Map.Entry::getKey).toList();
  }

  /** Zipf(s=1) over n ranks by inverse CDF. */
  private static final class Zipf {
    private final double[] cdf;

    Zipf(int n) {
      cdf = new double[n];
      double total = 0;
      for (int i = 0; i < n; i++) cdf[i] = total += 1.0 / (i + 1);
      for (int i = 0; i < n; i++) cdf[i] /= total;
    }

    int next() {
      int at = java.util.Arrays.binarySearch(cdf, ThreadLocalRandom.current().nextDouble());
      return Math.min(at >= 0 ? at : -at - 1, cdf.length - 1);
    }
  }

  private static final Zipf SLUG_ZIPF = new Zipf(SLUGS.size());
  private static final Zipf TAG_ZIPF = new Zipf(TAGS.size());
  private static final Zipf AUTHOR_ZIPF = new Zipf(AUTHORS.size());

  /** Every call: a popular article, tag and author, a random seeded account and a unique name. */
  private static Map<String, Object> pick() {
    Map<String, Object> pick = new HashMap<>();
    pick.put("slug", SLUGS.get(SLUG_ZIPF.next()));
    pick.put("tag", TAGS.get(TAG_ZIPF.next()));
    pick.put("author", AUTHORS.get(AUTHOR_ZIPF.next()));
    pick.put("email", EMAILS.get(ThreadLocalRandom.current().nextInt(EMAILS.size())));
    pick.put("unique", "g" + RUN + "n" + COUNTER.incrementAndGet());
    return pick;
  }

  private final HttpProtocolBuilder protocol = http.baseUrl(BASE_URL).acceptHeader("application/json")
      .contentTypeHeader("application/json").shareConnections();

  // --- steps ---------------------------------------------------------------------------------------------------
  // Gatling caches like a browser: a repeated GET sends If-None-Match and Surge answers 304 Not Modified.
  private static ChainBuilder get(String name, String path) {
    return exec(http(name).get(path).check(status().in(200, 304)));
  }

  private static ChainBuilder authGet(String name, String path) {
    return exec(http(name).get(path).header("Authorization", "Token #{token}").check(status().in(200, 304)));
  }

  private static final ChainBuilder LOGIN = exec(http("login").post("/api/users/login")
      .body(StringBody("{\"user\":{\"email\":\"#{email}\",\"password\":\"" + PASSWORD + "\"}}"))
      .check(status().is(200), jsonPath("$.user.token").saveAs("token")));

  private static final ChainBuilder REGISTER = exec(http("register").post("/api/users")
      .body(StringBody("{\"user\":{\"username\":\"#{unique}\",\"email\":\"#{unique}@gatling.bench.surge.dev\","
          + "\"password\":\"" + PASSWORD + "\"}}"))
      .check(status().is(201), jsonPath("$.user.token").saveAs("token")));

  private static final ChainBuilder BROWSE_ANON = exec(feed())
      .exec(get("list", "/api/articles?limit=20"))
      .exec(get("list by tag", "/api/articles?limit=20&tag=#{tag}"))
      .exec(get("article", "/api/articles/#{slug}"))
      .exec(get("comments", "/api/articles/#{slug}/comments"))
      .exec(get("list by author", "/api/articles?limit=20&author=#{author}"));

  private static final ChainBuilder BROWSE_AUTH = exec(feed())
      .exec(authGet("feed", "/api/articles/feed?limit=20"))
      .exec(authGet("article (auth)", "/api/articles/#{slug}"))
      .exec(authGet("profile", "/api/profiles/#{author}"));

  private static final ChainBuilder FAVORITE = exec(feed()).exec(http("favorite")
      .post("/api/articles/#{slug}/favorite").header("Authorization", "Token #{token}").check(status().is(200)))
      .exec(http("unfavorite").delete("/api/articles/#{slug}/favorite").header("Authorization", "Token #{token}")
          .check(status().is(200)));

  private static final ChainBuilder FOLLOW = exec(feed()).exec(http("follow")
      .post("/api/profiles/#{author}/follow").header("Authorization", "Token #{token}").check(status().is(200)));

  private static final ChainBuilder WRITE = exec(feed()).exec(http("create article").post("/api/articles")
          .header("Authorization", "Token #{token}")
          .body(StringBody("{\"article\":{\"title\":\"Gatling #{unique}\",\"description\":\"a session\","
              + "\"body\":\"Written by a Gatling virtual user.\",\"tagList\":[\"#{tag}\"]}}"))
          .check(status().is(201), jsonPath("$.article.slug").saveAs("mine")))
      .exec(http("comment").post("/api/articles/#{slug}/comments").header("Authorization", "Token #{token}")
          .body(StringBody("{\"comment\":{\"body\":\"Gatling comment #{unique}\"}}")).check(status().is(201)));

  private static ChainBuilder feed() {
    return exec(session -> session.setAll(pick()));
  }

  private ScenarioBuilder journey() {
    return switch (SCENARIO) {
      case "read-anon" -> scenario("read-anon").exec(repeat(5).on(BROWSE_ANON));
      case "read-auth" -> scenario("read-auth").exec(feed()).exec(LOGIN).exec(repeat(10).on(BROWSE_AUTH));
      case "mixed" -> scenario("mixed").exec(feed()).exec(LOGIN).exec(repeat(10).on(randomSwitch().on(
          percent(45.0).then(BROWSE_ANON), percent(45.0).then(BROWSE_AUTH), percent(8.0).then(exec(FAVORITE, FOLLOW)),
          percent(2.0).then(WRITE))));
      case "write-heavy" -> scenario("write-heavy").exec(feed()).exec(REGISTER).exec(repeat(3).on(WRITE));
      // Many users, each on a connection of its own, one read every 5 s.
      case "connections" -> scenario("connections").exec(during(Duration.ofSeconds(SECONDS)).on(
          exec(feed()).pace(Duration.ofSeconds(5)).exec(get("article", "/api/articles/#{slug}"))));
      default -> throw new IllegalArgumentException("unknown scenario " + SCENARIO);
    };
  }

  {
    // The connections scenario keeps one connection per virtual user; the others share a keep-alive pool.
    HttpProtocolBuilder used = SCENARIO.equals("connections")
        ? http.baseUrl(BASE_URL).acceptHeader("application/json") : protocol;
    setUp(journey().injectClosed(constantConcurrentUsers(USERS).during(Duration.ofSeconds(SECONDS))))
        .protocols(used).assertions(global().failedRequests().count().is(0L));
  }
}
