package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdsTest {
  /** Last millisecond whose id is still positive: 40 bits of milliseconds after the epoch. */
  private static final long LAST_MS = Ids.EPOCH_MS + (1L << 40) - 1;
  private static final long SEQ_MASK = (1L << Ids.SEQ_BITS) - 1;

  @Test
  void composeThenShardOfAndEpochMillisOfRoundTripForRandomValues() {
    Random random = new Random(20250101);
    for (int i = 0; i < 100_000; i++) {
      long ms = Ids.EPOCH_MS + (random.nextLong() >>> 24); // 0 .. 2^40-1 after the epoch
      int shard = switch (i % 4) {
        case 0 -> 0;
        case 1 -> Ids.LOGICAL_SHARDS - 1;
        default -> random.nextInt(Ids.LOGICAL_SHARDS);
      };
      long seq = random.nextInt(1 << Ids.SEQ_BITS);
      long id = Ids.compose(ms, shard, seq);
      String what = "ms=" + ms + " shard=" + shard + " seq=" + seq + " id=" + id;
      assertTrue(id >= 0, what);
      assertEquals(shard, Ids.shardOf(id), what);
      assertEquals(ms, Ids.epochMillisOf(id), what);
      assertEquals(seq, id & SEQ_MASK, what);
    }
  }

  @Test
  void extremeShardsAndSequencesRoundTripAtTheEdgesOfTheTimeRange() {
    for (long ms : new long[] {Ids.EPOCH_MS, Ids.EPOCH_MS + 1, LAST_MS}) {
      for (int shard : new int[] {0, 1, 8190, 8191}) {
        for (long seq : new long[] {0, 1, 1023}) {
          long id = Ids.compose(ms, shard, seq);
          assertEquals(shard, Ids.shardOf(id));
          assertEquals(ms, Ids.epochMillisOf(id));
          assertEquals(seq, id & SEQ_MASK);
        }
      }
    }
  }

  @Test
  void sequenceIsTakenModulo1024AndNeverSpillsIntoTheShardBits() {
    long ms = Ids.EPOCH_MS + 123_456_789L;
    assertEquals(Ids.compose(ms, 77, 5), Ids.compose(ms, 77, 1024 + 5));
    assertEquals(77, Ids.shardOf(Ids.compose(ms, 77, Long.MAX_VALUE)));
    assertEquals(ms, Ids.epochMillisOf(Ids.compose(ms, 77, Long.MAX_VALUE)));
  }

  @Test
  void idsArePositiveUntil2059() {
    assertTrue(Ids.compose(Ids.EPOCH_MS, 0, 0) >= 0);
    assertTrue(Ids.compose(Ids.EPOCH_MS, 0, 1) > 0);
    long last = Ids.compose(LAST_MS, Ids.LOGICAL_SHARDS - 1, 1023);
    assertTrue(last > 0, "last id " + last);
    assertEquals(Long.MAX_VALUE, last);
    assertEquals(2059, Instant.ofEpochMilli(LAST_MS).atZone(ZoneOffset.UTC).getYear());
    assertTrue(Ids.compose(LAST_MS + 1, 0, 0) < 0, "one millisecond later the sign bit is used");
  }

  @Test
  void idsIncreaseWithTimeWhateverTheShardAndSequence() {
    Random random = new Random(7);
    for (int i = 0; i < 50_000; i++) {
      long t1 = Ids.EPOCH_MS + (random.nextLong() >>> 24);
      long t2 = t1 + 1 + random.nextInt(1000);
      if (t2 > LAST_MS) continue;
      long earlier = Ids.compose(t1, random.nextInt(Ids.LOGICAL_SHARDS), random.nextInt(1024));
      long later = Ids.compose(t2, random.nextInt(Ids.LOGICAL_SHARDS), random.nextInt(1024));
      assertTrue(earlier < later, "t1=" + t1 + " t2=" + t2);
    }
    // Within one millisecond the worst shard/sequence still sorts before the next millisecond's best.
    assertTrue(Ids.compose(Ids.EPOCH_MS + 5, 8191, 1023) < Ids.compose(Ids.EPOCH_MS + 6, 0, 0));
  }

  @Test
  void outOfRangeShardIsRejected() {
    for (int shard : new int[] {-1, Ids.LOGICAL_SHARDS, Ids.LOGICAL_SHARDS + 1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Ids.compose(Ids.EPOCH_MS, shard, 0), "shard " + shard);
      assertTrue(e.getMessage().contains(Integer.toString(shard)), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Ids.composeComment(1, shard), "comment shard " + shard);
    }
  }

  @Test
  void commentIdsRoundTripAndStayBelow2Pow53For40BitSequences() {
    Random random = new Random(53);
    for (int i = 0; i < 100_000; i++) {
      long seq = switch (i % 3) {
        case 0 -> (1L << 40) - 1;
        case 1 -> 0;
        default -> random.nextLong() >>> 24;
      };
      int shard = i % 5 == 0 ? 0 : i % 5 == 1 ? 8191 : random.nextInt(Ids.LOGICAL_SHARDS);
      long id = Ids.composeComment(seq, shard);
      String what = "seq=" + seq + " shard=" + shard + " id=" + id;
      assertTrue(id >= 0 && id <= Ids.MAX_SAFE_JSON_INTEGER, what);
      assertEquals(shard, Ids.shardOfComment(id), what);
      assertEquals(seq, id >>> Ids.SHARD_BITS, what);
      assertEquals(id, (long) (double) id, "exact as a JavaScript number: " + what);
    }
    assertEquals(Ids.MAX_SAFE_JSON_INTEGER, Ids.composeComment((1L << 40) - 1, 8191));
  }

  @Test
  void shardForKeyIsAlwaysInRange() {
    Random random = new Random(1);
    for (String key : new String[] {"", " ", "a", "ä", "日本語", "\u0000", "x".repeat(10_000)}) {
      int shard = Ids.shardForKey(key);
      assertTrue(shard >= 0 && shard < Ids.LOGICAL_SHARDS, key + " -> " + shard);
    }
    for (int i = 0; i < 100_000; i++) {
      char[] chars = new char[random.nextInt(40)];
      for (int j = 0; j < chars.length; j++) chars[j] = (char) random.nextInt(Character.MAX_VALUE + 1);
      int shard = Ids.shardForKey(new String(chars));
      assertTrue(shard >= 0 && shard < Ids.LOGICAL_SHARDS, "shard " + shard);
    }
  }

  @Test
  void shardForKeyIgnoresCase() {
    assertEquals(Ids.shardForKey("alice@example.com"), Ids.shardForKey("Alice@Example.COM"));
    assertEquals(Ids.shardForKey("bob"), Ids.shardForKey("BOB"));
    assertEquals(Ids.shardForKey("crème"), Ids.shardForKey("CRÈME"));
  }

  @Test
  void shardForKeyDoesNotDependOnTheDefaultLocale() {
    int expected = Ids.shardForKey("TITLE@EXAMPLE.COM");
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("tr-TR")); // "I".toLowerCase() is a dotless i here
      assertEquals(expected, Ids.shardForKey("TITLE@EXAMPLE.COM"));
    } finally {
      Locale.setDefault(saved);
    }
  }

  /**
   * Pinned values, computed once. Pinning is deliberate here: rows are placed by this function, so
   * a change in any release would send existing users and directory rows to the wrong shard.
   */
  @Test
  void shardForKeyIsStableAcrossReleases() {
    assertEquals(PINNED_ALICE, Ids.shardForKey("alice@example.com"));
    assertEquals(PINNED_BOB, Ids.shardForKey("bob"));
    assertEquals(PINNED_EMPTY, Ids.shardForKey(""));
    assertEquals(PINNED_JAKE, Ids.shardForKey("jake@jake.jake"));
  }

  private static final int PINNED_ALICE = 501;
  private static final int PINNED_BOB = 5515;
  private static final int PINNED_EMPTY = 0;
  private static final int PINNED_JAKE = 2485;

  @Test
  void shardForKeySpreadsEmailsEvenlyOverAllShards() {
    int keys = 100_000;
    int[] counts = new int[Ids.LOGICAL_SHARDS];
    for (int i = 0; i < keys; i++) counts[Ids.shardForKey("user" + i + "@example.com")]++;
    double mean = (double) keys / Ids.LOGICAL_SHARDS;
    int max = 0, used = 0;
    for (int c : counts) {
      max = Math.max(max, c);
      if (c > 0) used++;
    }
    assertTrue(max <= 3 * mean, "fullest shard has " + max + " keys, mean " + mean);
    assertTrue(used >= Ids.LOGICAL_SHARDS * 99 / 100, "only " + used + " shards used");
  }
}
