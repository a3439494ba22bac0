package surge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-viewer id sets: their Redis form round-trips, and a partial set answers only what it can know. */
class IdSetTest {
  @Test
  void roundTripsThroughItsRedisForm() {
    IdSet set = IdSet.of(List.of(1L, 9_007_199_254_740_993L, 42L), false);
    IdSet back = IdSet.decode(set.encode());
    assertEquals(set, back);
    assertTrue(back.complete());
    IdSet empty = IdSet.decode(IdSet.of(List.of(), true).encode());
    assertTrue(empty.ids().isEmpty());
    assertFalse(empty.complete());
  }

  @Test
  void aCompleteSetAnswersEveryCandidate() {
    IdSet set = IdSet.of(List.of(1L, 2L), false);
    assertEquals(Set.of(2L), set.among(List.of(2L, 3L)));
    assertEquals(Set.of(), set.among(List.of(5L)));
  }

  @Test
  void aPartialSetAnswersOnlyWhenEveryCandidateIsAMember() {
    IdSet partial = IdSet.of(List.of(1L, 2L), true);
    assertEquals(Set.of(1L, 2L), partial.among(List.of(1L, 2L)));
    assertNull(partial.among(List.of(2L, 3L)), "3 may be beyond the cap: the database must say");
  }

  @Test
  void itsMembersAreOneUnmodifiableSetPerInstance() {
    IdSet set = IdSet.of(List.of(3L, 1L, 2L), false);
    assertEquals(Set.of(1L, 2L, 3L), set.ids());
    assertSame(set.ids(), set.ids(), "the feed's memos compare followee sets by instance");
    assertThrows(UnsupportedOperationException.class, () -> set.ids().add(4L));
  }
}
