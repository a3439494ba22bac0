package surge.bench;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic text for the dataset: tag names, titles, descriptions, bodies, bios. Each piece of
 * text comes from its own random stream (seed, kind, index), so an article's body is the same
 * whatever else the run generated and whichever thread builds it.
 */
final class Words {
  private static final String[] TECH = {
      "java", "vertx", "postgres", "kafka", "redis", "rust", "go", "python", "kotlin", "scala", "react", "vue",
      "svelte", "angular", "node", "deno", "docker", "kubernetes", "helm", "terraform", "aws", "gcp", "azure",
      "linux", "bash", "git", "graphql", "rest", "grpc", "http", "tls", "dns", "cdn", "nginx", "haproxy",
      "caching", "sharding", "replication", "consensus", "raft", "paxos", "queues", "streams", "events", "sql",
      "nosql", "indexes", "testing", "tdd", "ci", "cd", "devops", "sre", "observability", "metrics", "tracing",
      "logging", "security", "auth", "jwt", "oauth", "crypto", "privacy", "design", "ux", "css", "html",
      "typescript", "javascript", "webassembly", "compilers", "jvm", "gc", "concurrency", "async", "reactive",
      "actors", "functional", "oop", "patterns", "refactoring", "architecture", "microservices", "monolith",
      "serverless", "edge", "mobile", "android", "ios", "swift", "flutter", "ml", "ai", "llm", "data",
      "analytics", "career", "hiring", "remote", "startups", "opensource", "books", "talks", "benchmarks"};
  private static final String[] QUALIFIERS = {
      "tips", "internals", "patterns", "performance", "beginners", "advanced", "howto", "news", "tools",
      "migration", "debugging", "scaling", "security", "testing", "deep-dive", "history", "ops", "cloud",
      "weekly", "faq"};
  private static final String[] PROSE = {
      "the", "a", "we", "it", "this", "that", "our", "your", "every", "one", "more", "less", "fast", "slow",
      "simple", "hard", "small", "large", "new", "old", "better", "worse", "real", "quiet", "shared", "local",
      "remote", "stable", "broken", "careful", "service", "request", "response", "server", "client", "query",
      "index", "table", "row", "page", "cache", "queue", "event", "shard", "replica", "node", "cluster",
      "thread", "loop", "future", "promise", "stream", "token", "limit", "test", "bug", "fix", "release",
      "deploy", "rollback", "metric", "trace", "log", "latency", "throughput", "budget", "team", "review",
      "design", "trade-off", "lesson", "story", "idea", "plan", "week", "year", "day", "hour", "build",
      "measure", "learn", "write", "read", "ship", "scale", "split", "merge", "move", "wait", "retry", "fail",
      "recover", "grow", "keep", "drop", "start", "stop", "run", "check", "explain", "compare", "choose",
      "and", "or", "but", "so", "when", "while", "because", "after", "before", "with", "without", "over",
      "under", "into", "from", "about", "again", "never", "always", "often", "sometimes", "finally"};

  private Words() {}

  /** {@code n} distinct tag names, the most common first (a tag's rank is its index). */
  static List<String> tags(int n) {
    Set<String> out = new LinkedHashSet<>();
    for (String word : TECH) {
      if (out.size() == n) return List.copyOf(out);
      out.add(word);
    }
    for (int i = 0; out.size() < n; i++) {
      String name = TECH[i % TECH.length] + "-" + QUALIFIERS[(i / TECH.length) % QUALIFIERS.length];
      if (i >= TECH.length * QUALIFIERS.length) name += "-" + (i / (TECH.length * QUALIFIERS.length));
      out.add(name);
    }
    return List.copyOf(out);
  }

  static String title(long seed, int article) {
    SplittableRandom r = stream(seed, 1, article);
    String words = sentence(r, 3 + r.nextInt(6), false);
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  static String description(long seed, int article) {
    SplittableRandom r = stream(seed, 2, article);
    return sentence(r, 6 + r.nextInt(10), true);
  }

  /** Two to four paragraphs, a few hundred bytes to a kilobyte or so. */
  static String body(long seed, int article) {
    SplittableRandom r = stream(seed, 3, article);
    int paragraphs = 2 + r.nextInt(3);
    StringBuilder out = new StringBuilder();
    for (int p = 0; p < paragraphs; p++) {
      if (p > 0) out.append("\n\n");
      int sentences = 1 + r.nextInt(3);
      for (int s = 0; s < sentences; s++) {
        if (s > 0) out.append(' ');
        out.append(capitalized(sentence(r, 8 + r.nextInt(16), true)));
      }
    }
    return out.toString();
  }

  static String comment(long seed, int comment) {
    SplittableRandom r = stream(seed, 4, comment);
    return capitalized(sentence(r, 4 + r.nextInt(30), true));
  }

  /** Half the users wrote a bio. */
  static String bio(long seed, int user) {
    SplittableRandom r = stream(seed, 5, user);
    return r.nextBoolean() ? capitalized(sentence(r, 5 + r.nextInt(12), true)) : null;
  }

  /** A third of the users set an image. */
  static String image(long seed, int user) {
    SplittableRandom r = stream(seed, 6, user);
    return r.nextInt(3) == 0 ? "https://picsum.photos/seed/surge" + user + "/200" : null;
  }

  /** An independent stream per (seed, kind, index): SplittableRandom mixes its seed well. */
  static SplittableRandom stream(long seed, int kind, long index) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + kind * 0xC2B2AE3D27D4EB4FL + index);
  }

  private static String sentence(SplittableRandom r, int words, boolean period) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < words; i++) {
      if (i > 0) out.append(' ');
      out.append(PROSE[r.nextInt(PROSE.length)]);
    }
    if (period) out.append('.');
    return out.toString();
  }

  private static String capitalized(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }
}
