package surge.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import surge.db.Ids;

/** The pure parts of the dataset generator: sampler shape, determinism, the invariants rows must keep. */
class DatasetPlanTest {
  private static final List<String> TINY = List.of("--users=300", "--articles=2000", "--favorites=8000", "--comments=3000",
      "--follows=2000", "--tags=80", "--seed=11", "--name=unit");

  @Test
  void zipfTopRankIsFarMoreFrequentThanTheMedian() {
    Zipf zipf = new Zipf(500, 1.0);
    int[] counts = new int[500];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 200_000; i++) counts[zipf.sample(random)]++;
    int[] sorted = counts.clone();
    Arrays.sort(sorted);
    int median = sorted[250];
    // Zipf s=1: p(rank 1) / p(rank 250) = 250, so even a noisy median leaves a wide margin.
    assertTrue(counts[0] > 50 * Math.max(1, median), "top " + counts[0] + " vs median " + median);
    assertTrue(counts[0] > counts[9] && counts[9] > counts[99] && counts[99] > counts[499], Arrays.toString(counts));
    // s=1: the top rank takes 1/H(500) ≈ 14.7 % of the draws.
    assertEquals(0.147, counts[0] / 200_000.0, 0.01);
  }

  @Test
  void theSameSpecGivesTheSamePlanAndAnotherSeedAnother() {
    DatasetPlan a = plan(TINY);
    DatasetPlan b = plan(TINY);
    assertArrayEquals(a.userId, b.userId);
    assertArrayEquals(a.articleId, b.articleId);
    assertArrayEquals(a.articleTags, b.articleTags);
    assertArrayEquals(a.favoriteUser, b.favoriteUser);
    assertArrayEquals(a.followFollowee, b.followFollowee);
    assertArrayEquals(a.commentId, b.commentId);
    assertEquals(Words.body(11, 5), Words.body(11, 5));
    List<String> other = new ArrayList<>(TINY);
    other.add("--seed=12");
    assertFalse(Arrays.equals(a.articleId, plan(other).articleId));
  }

  @Test
  void pairsAreUniqueAndCountsAgree() {
    DatasetPlan plan = plan(TINY);
    Set<Long> favorites = new HashSet<>();
    for (int f = 0; f < plan.favoriteArticle.length; f++) {
      assertTrue(favorites.add((long) plan.favoriteArticle[f] * 300 + plan.favoriteUser[f]), "duplicate favorite");
    }
    assertEquals(8000, Arrays.stream(plan.favoritesCount).sum());
    Set<Long> follows = new HashSet<>();
    for (int f = 0; f < plan.followFollower.length; f++) {
      assertTrue(plan.followFollower[f] != plan.followFollowee[f], "self-follow");
      assertTrue(follows.add((long) plan.followFollower[f] * 300 + plan.followFollowee[f]), "duplicate follow");
    }
    assertEquals(2000, new HashSet<>(Arrays.stream(plan.articleId).boxed().toList()).size());
  }

  @Test
  void idsCarryTheirShardAndCommentIdsStayJsonSafe() {
    DatasetPlan plan = plan(TINY);
    for (int u = 0; u < plan.userId.length; u++) assertEquals(Ids.shardForKey(DatasetPlan.email(u)), Ids.shardOf(plan.userId[u]));
    for (int a = 0; a < plan.articleId.length; a++) {
      assertEquals(Ids.shardOf(plan.userId[plan.articleAuthor[a]]), Ids.shardOf(plan.articleId[a]));
      assertTrue(plan.articleMs[a] > plan.userMs[plan.articleAuthor[a]] && plan.articleMs[a] <= DatasetPlan.END_MS);
    }
    for (int c = 0; c < plan.commentId.length; c++) {
      assertTrue(plan.commentId[c] <= Ids.MAX_SAFE_JSON_INTEGER);
      assertEquals(Ids.shardOf(plan.articleId[plan.commentArticle[c]]), Ids.shardOfComment(plan.commentId[c]));
      if (c > 0) assertTrue(plan.commentMs[c] >= plan.commentMs[c - 1], "sequence follows time");
    }
  }

  @Test
  void tagsAreSortedDistinctAndAtMostFive() {
    DatasetPlan plan = plan(TINY);
    for (String joined : plan.articleTags) {
      List<String> tags = joined.isEmpty() ? List.of() : List.of(joined.split(","));
      assertTrue(tags.size() <= 5);
      assertEquals(new ArrayList<>(new java.util.TreeSet<>(tags)), tags);
    }
    assertEquals(80, new HashSet<>(Words.tags(80)).size());
    assertEquals(5000, new HashSet<>(Words.tags(5000)).size());
  }

  @Test
  void flagsAndConfigKeysAreSeparatedAndBadSizesRefused() {
    List<String> config = new ArrayList<>();
    DatasetSpec spec = DatasetSpec.parse(List.of("--users=50", "--db.shards=x,y", "--reset", "--seed=3"), config);
    assertEquals(50, spec.users());
    assertEquals(3, spec.seed());
    assertTrue(spec.reset());
    assertEquals(List.of("--db.shards=x,y"), config);
    assertThrows(IllegalArgumentException.class, () -> DatasetSpec.parse(List.of("--users=abc"), new ArrayList<>()));
    assertThrows(IllegalArgumentException.class,
        () -> DatasetSpec.parse(List.of("--users=10", "--articles=10", "--favorites=60"), new ArrayList<>()));
    assertThrows(IllegalArgumentException.class, () -> DatasetSpec.parse(List.of("stray"), new ArrayList<>()));
  }

  private static DatasetPlan plan(List<String> args) {
    return DatasetPlan.of(DatasetSpec.parse(args, new ArrayList<>()));
  }
}
