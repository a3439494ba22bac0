package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LsnTest {
  @Test
  void parsesPostgresTextForm() {
    assertEquals(0L, Lsn.parse("0/0"));
    assertEquals(0x65AD598L, Lsn.parse("0/65AD598"));
    assertEquals((0x16L << 32) | 0xB374D848L, Lsn.parse("16/B374D848"));
    assertEquals((0xFFFF_FFFFL << 32) | 0xFFFF_FFFFL, Lsn.parse("FFFFFFFF/FFFFFFFF"));
    assertEquals(Lsn.parse("a/b"), Lsn.parse("A/B"), "hex digits in either case");
  }

  @Test
  void formatIsTheInverseOfParse() {
    for (String text : new String[] {"0/0", "0/65AD598", "16/B374D848", "1/0", "FFFFFFFF/FFFFFFFF"}) {
      assertEquals(text, Lsn.format(Lsn.parse(text)));
    }
  }

  @Test
  void rejectsWhatIsNotAPosition() {
    for (String bad : new String[] {"", "/", "0/", "/0", "0", "0/0/0", "x/1", "1/-1", "123456789/0", "0/123456789"}) {
      assertThrows(IllegalArgumentException.class, () -> Lsn.parse(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> Lsn.parse(null));
  }

  @Test
  void comparesByTheHighWordFirst() {
    assertTrue(Lsn.parse("1/0") > Lsn.parse("0/FFFFFFFF"));
    assertTrue(Lsn.reached(Lsn.parse("1/0"), Lsn.parse("0/FFFFFFFF")));
    assertFalse(Lsn.reached(Lsn.parse("0/FFFFFFFF"), Lsn.parse("1/0")));
    assertTrue(Lsn.reached(Lsn.parse("2/10"), Lsn.parse("2/10")), "equal positions count as reached");
    assertFalse(Lsn.reached(Lsn.parse("2/F"), Lsn.parse("2/10")));
  }

  @Test
  void noneIsReachedByEveryReplicaAndPrimaryByNone() {
    assertTrue(Lsn.reached(Lsn.NONE, Lsn.NONE));
    assertTrue(Lsn.reached(Lsn.parse("0/1"), Lsn.NONE));
    assertFalse(Lsn.reached(Lsn.parse("FFFFFFFF/FFFFFFFE"), Lsn.PRIMARY));
    assertEquals(Lsn.PRIMARY, Lsn.max(Lsn.PRIMARY, Lsn.parse("5/5")), "unsigned: PRIMARY is the largest mark");
    assertEquals(Lsn.parse("5/5"), Lsn.max(Lsn.NONE, Lsn.parse("5/5")));
  }

  @Test
  void distanceIsBytesBehindAndNeverNegative() {
    assertEquals(0x100L, Lsn.distance(Lsn.parse("1/100"), Lsn.parse("1/0")));
    assertEquals(0x1_0000_0000L, Lsn.distance(Lsn.parse("1/0"), Lsn.parse("0/0")));
    assertEquals(0L, Lsn.distance(Lsn.parse("1/0"), Lsn.parse("1/100")), "a replica ahead of a stale primary sample");
  }

  @Test
  void redisKeysSortAsTheNumbersDo() {
    long[] ordered = {0L, 1L, Lsn.parse("0/FFFFFFFF"), Lsn.parse("1/0"), Lsn.parse("A/0"), Lsn.parse("10/0"), Lsn.PRIMARY};
    for (int i = 0; i + 1 < ordered.length; i++) {
      String lo = Lsn.toKey(ordered[i]);
      String hi = Lsn.toKey(ordered[i + 1]);
      assertEquals(16, lo.length());
      assertTrue(lo.compareTo(hi) < 0, lo + " < " + hi);
      assertEquals(ordered[i], Lsn.fromKey(lo));
    }
    assertEquals("ffffffffffffffff", Lsn.toKey(Lsn.PRIMARY));
  }
}
