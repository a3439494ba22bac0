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
}
