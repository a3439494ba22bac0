package surge.timeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TimelineChangesTest {
  private final TimelineChanges changes = new TimelineChanges();

  @Test
  void aRangeStaysCurrentWhileNothingChanged() {
    long seen = changes.now();
    assertTrue(changes.unchangedSince(seen, 1, Set.of(10L, 11L)));
  }

  @Test
  void anotherAuthorsOrViewersChangeLeavesARangeCurrent() {
    long seen = changes.now();
    changes.authorsChanged(List.of(99L));
    changes.viewersChanged(List.of(2L));
    assertTrue(changes.unchangedSince(seen, 1, Set.of(10L, 11L)));
  }

  @Test
  void oneOfItsAuthorsChangingMakesARangeOld() {
    long seen = changes.now();
    changes.authorsChanged(List.of(11L));
    assertFalse(changes.unchangedSince(seen, 1, Set.of(10L, 11L)));
    assertTrue(changes.unchangedSince(changes.now(), 1, Set.of(10L, 11L)), "a range read after the change is current");
  }

  @Test
  void itsViewerChangingMakesARangeOld() {
    long seen = changes.now();
    changes.viewersChanged(List.of(1L));
    assertFalse(changes.unchangedSince(seen, 1, Set.of()));
  }

  @Test
  void aChangeHeardBeforeTheReadAnsweredStillCounts() {
    long seen = changes.now(); // the read is sent
    changes.authorsChanged(List.of(10L)); // heard while it is under way: the range may predate the change
    assertFalse(changes.unchangedSince(seen, 1, Set.of(10L)));
  }

  @Test
  void forgettingMakesEveryEarlierRangeOld() {
    long seen = changes.now();
    changes.forgetAll();
    assertFalse(changes.unchangedSince(seen, 1, Set.of(10L)));
    assertTrue(changes.unchangedSince(changes.now(), 1, Set.of(10L)));
  }

  @Test
  void trackingIsBounded() {
    long seen = changes.now();
    for (long id = 0; id <= TimelineChanges.MAX_TRACKED + 1; id++) changes.authorsChanged(List.of(id));
    assertFalse(changes.unchangedSince(seen, 1, Set.of(-1L)), "past the bound everything before is forgotten");
  }

  @Test
  void aViewerOfManyAuthorsIsCheckedAgainstTheFewChangesSince() {
    Set<Long> many = new java.util.HashSet<>();
    for (long id = 1_000; id < 1_500; id++) many.add(id);
    long seen = changes.now();
    changes.authorsChanged(List.of(5L));
    changes.viewersChanged(List.of(2L));
    assertTrue(changes.unchangedSince(seen, 1, many), "none of the two changes is theirs");
    changes.authorsChanged(List.of(1_234L));
    assertFalse(changes.unchangedSince(seen, 1, many), "one of their 500 authors changed");
  }

  @Test
  void moreChangesSinceThanTheLogHoldsAreStillFound() {
    long seen = changes.now();
    changes.authorsChanged(List.of(10L));
    for (long id = 100; id < 100 + TimelineChanges.LOG + 10; id++) changes.authorsChanged(List.of(id));
    assertFalse(changes.unchangedSince(seen, 1, Set.of(10L)), "the change fell out of the log, not out of the map");
    assertTrue(changes.unchangedSince(seen, 1, Set.of(11L)));
  }

  @Test
  void aFewAuthorsAreLookedUpRatherThanManyChanges() {
    long seen = changes.now();
    for (long id = 100; id < 200; id++) changes.authorsChanged(List.of(id));
    changes.viewersChanged(List.of(1L)); // newest, so the log finds it at once
    assertFalse(changes.unchangedSince(seen, 1, Set.of(10L)));
    long later = changes.now();
    for (long id = 100; id < 200; id++) changes.authorsChanged(List.of(id));
    changes.authorsChanged(List.of(10L));
    for (long id = 300; id < 400; id++) changes.authorsChanged(List.of(id));
    assertFalse(changes.unchangedSince(later, 1, Set.of(10L)), "found by the author's own entry, past the log budget");
  }
}
