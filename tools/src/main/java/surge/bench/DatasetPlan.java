package surge.bench;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import surge.articles.Slugs;
import surge.db.Ids;

/**
 * The whole dataset as plain arrays, computed from the spec alone: no database, no clock, no
 * thread order, so the same seed gives the same ids, names, texts and graphs on every run and
 * every machine. Entities are numbered (user 0..users-1, article 0..articles-1); rows refer to
 * each other by those numbers and get their ids here, exactly as the app composes them.
 *
 * <p>Every timestamp lies in a fixed year that ended before the generator was written, so ids
 * the app makes later ({@code surge_next_id} uses the current time) can never equal a seeded one.
 * Each kind of data draws from its own random stream, so e.g. changing --favorites leaves the
 * users and articles as they were.
 */
final class DatasetPlan {
  static final long END_MS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  static final long START_MS = END_MS - 365L * 24 * 3600 * 1000;
  /** Users register before this, so the newest still have time to write and follow. */
  static final long LAST_SIGNUP_MS = END_MS - 30L * 24 * 3600 * 1000;
  static final double TAG_EXPONENT = 1.0;
  static final double ARTICLE_EXPONENT = 1.0;
  static final double FOLLOWEE_EXPONENT = 1.0;
  /**
   * Comments favour the same popular articles, more gently: the API lists an article's comments
   * unpaged, and s=1 would give the top article 8 % of all comments (16,000 at the default size);
   * s=0.7 gives it about 1 % (a couple of thousand).
   */
  static final double COMMENT_EXPONENT = 0.7;
  /** Authorship is skewed too, but less: many users write a little, a few write a lot. */
  static final double AUTHOR_EXPONENT = 0.8;
  static final int MAX_TAGS_PER_ARTICLE = 5;
  static final String EMAIL_DOMAIN = "bench.surge.dev";

  final DatasetSpec spec;
  final List<String> tagNames;

  long[] userId;
  long[] userMs;
  /** Popularity order of users: userByRank[0] is the most followed and the most prolific author. */
  int[] userByRank;

  long[] articleId;
  long[] articleMs;
  int[] articleAuthor;
  /** Sorted, comma-joined tag names ("" for none), as the app stores them (sorted, de-duplicated). */
  String[] articleTags;
  int[] favoritesCount;
  /** Popularity order of articles: what favorites, comments and the benchmarks' reads favour. */
  int[] articleByRank;
  int[] tagUses;

  int[] followFollower;
  int[] followFollowee;
  long[] followMs;
  int[] followers;

  int[] favoriteArticle;
  int[] favoriteUser;
  long[] favoriteMs;

  /** In creation order: comment c has sequence c + 1, so its id grows with its time like the app's. */
  long[] commentId;
  int[] commentArticle;
  int[] commentAuthor;
  long[] commentMs;
  int[] commentText;

  private DatasetPlan(DatasetSpec spec) {
    this.spec = spec;
    this.tagNames = Words.tags(spec.tags());
  }

  static DatasetPlan of(DatasetSpec spec) {
    DatasetPlan plan = new DatasetPlan(spec);
    plan.users();
    plan.articles();
    plan.follows();
    plan.favorites();
    plan.comments();
    return plan;
  }

  static String username(int user) {
    return "user" + user;
  }

  static String email(int user) {
    return "user" + user + "@" + EMAIL_DOMAIN;
  }

  String slug(int article) {
    return Slugs.of(Words.title(spec.seed(), article), articleId[article]);
  }

  /** Evenly spread sign-ups with jitter: one distinct millisecond each, so ids are distinct. */
  private void users() {
    int n = spec.users();
    SplittableRandom r = Words.stream(spec.seed(), 100, 0);
    long step = (LAST_SIGNUP_MS - START_MS) / n;
    if (step < 1) throw new IllegalArgumentException("--users: too many for one sign-up per millisecond of the year");
    userId = new long[n];
    userMs = new long[n];
    for (int u = 0; u < n; u++) {
      userMs[u] = START_MS + u * step + r.nextLong(step);
      userId[u] = Ids.compose(userMs[u], Ids.shardForKey(email(u)), u);
    }
    userByRank = permutation(n, r);
  }

  private void articles() {
    int n = spec.articles();
    SplittableRandom r = Words.stream(spec.seed(), 101, 0);
    Zipf authors = new Zipf(spec.users(), AUTHOR_EXPONENT);
    Zipf tags = new Zipf(tagNames.size(), TAG_EXPONENT);
    articleId = new long[n];
    articleMs = new long[n];
    articleAuthor = new int[n];
    articleTags = new String[n];
    favoritesCount = new int[n];
    tagUses = new int[tagNames.size()];
    LongSet ids = new LongSet(n);
    for (int a = 0; a < n; a++) {
      int author = userByRank[authors.sample(r)];
      articleAuthor[a] = author;
      long ms = after(r, userMs[author]);
      long id = Ids.compose(ms, Ids.shardOf(userId[author]), a);
      while (!ids.add(id)) id = Ids.compose(++ms, Ids.shardOf(userId[author]), a); // same ms, shard and sequence: rare
      articleMs[a] = ms;
      articleId[a] = id;
      articleTags[a] = tagsFor(r, tags);
    }
    articleByRank = permutation(n, r);
  }

  /** 0 to 5 distinct Zipf-drawn tags, sorted and joined the way the article row stores them. */
  private String tagsFor(SplittableRandom r, Zipf tags) {
    int count = Math.min(r.nextInt(MAX_TAGS_PER_ARTICLE + 1), tagNames.size());
    TreeSet<String> chosen = new TreeSet<>();
    while (chosen.size() < count) {
      int t = tags.sample(r);
      if (chosen.add(tagNames.get(t))) tagUses[t]++;
    }
    return String.join(",", chosen);
  }

  /** Followers are anyone; followees are Zipf-popular, so a few users have thousands of followers. */
  private void follows() {
    int n = spec.follows();
    int users = spec.users();
    SplittableRandom r = Words.stream(spec.seed(), 102, 0);
    Zipf popular = new Zipf(users, FOLLOWEE_EXPONENT);
    followFollower = new int[n];
    followFollowee = new int[n];
    followMs = new long[n];
    followers = new int[users];
    LongSet pairs = new LongSet(n);
    for (int f = 0; f < n; f++) {
      int follower;
      int followee;
      do {
        follower = r.nextInt(users);
        followee = userByRank[popular.sample(r)];
      } while (follower == followee || !pairs.add((long) follower * users + followee));
      followFollower[f] = follower;
      followFollowee[f] = followee;
      followMs[f] = after(r, Math.max(userMs[follower], userMs[followee]));
      followers[followee]++;
    }
  }

  /** Zipf-popular articles, any user, each (article, user) pair at most once. */
  private void favorites() {
    int n = spec.favorites();
    int users = spec.users();
    SplittableRandom r = Words.stream(spec.seed(), 103, 0);
    Zipf popular = new Zipf(spec.articles(), ARTICLE_EXPONENT);
    favoriteArticle = new int[n];
    favoriteUser = new int[n];
    favoriteMs = new long[n];
    LongSet pairs = new LongSet(n);
    for (int f = 0; f < n; f++) {
      int article;
      int user;
      do {
        article = articleByRank[popular.sample(r)];
        user = r.nextInt(users);
      } while (!pairs.add((long) article * users + user));
      favoriteArticle[f] = article;
      favoriteUser[f] = user;
      favoriteMs[f] = after(r, Math.max(articleMs[article], userMs[user]));
      favoritesCount[article]++;
    }
  }

  /** Zipf-popular articles, any commenter; sequences follow creation time, as the app's would. */
  private void comments() {
    int n = spec.comments();
    SplittableRandom r = Words.stream(spec.seed(), 104, 0);
    Zipf popular = new Zipf(spec.articles(), COMMENT_EXPONENT);
    int[] article = new int[n];
    int[] author = new int[n];
    long[] byTime = new long[n];
    for (int c = 0; c < n; c++) {
      article[c] = articleByRank[popular.sample(r)];
      author[c] = r.nextInt(spec.users());
      long ms = after(r, Math.max(articleMs[article[c]], userMs[author[c]]));
      byTime[c] = ((ms - START_MS) << 24) | c; // time first, draw order breaks ties
    }
    if (n >= 1 << 24) throw new IllegalArgumentException("--comments: at most " + ((1 << 24) - 1));
    Arrays.sort(byTime);
    commentId = new long[n];
    commentArticle = new int[n];
    commentAuthor = new int[n];
    commentMs = new long[n];
    commentText = new int[n];
    for (int k = 0; k < n; k++) {
      int c = (int) (byTime[k] & ((1 << 24) - 1));
      commentArticle[k] = article[c];
      commentAuthor[k] = author[c];
      commentMs[k] = START_MS + (byTime[k] >>> 24);
      commentText[k] = c;
      commentId[k] = Ids.composeComment(k + 1L, Ids.shardOf(articleId[article[c]]));
    }
  }

  /** The highest comment sequence used; every physical shard's comment sequence must start above it. */
  long lastCommentSequence() {
    return spec.comments();
  }

  /** A moment after {@code from} and before the end of the year. */
  private static long after(SplittableRandom r, long from) {
    return from + 1 + r.nextLong(Math.max(1, END_MS - from - 1));
  }

  private static int[] permutation(int n, SplittableRandom r) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) out[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }
}
