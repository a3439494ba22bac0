package surge.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure parts of timelines: order, merge of sources, members, fingerprints. */
class EntryTest {
  @Test
  void pagesAreNewestFirstWithTheLargerIdFirstOnATie() {
    Entry a = new Entry(5, 1000);
    Entry b = new Entry(9, 1000);
    Entry c = new Entry(1, 2000);
    assertEquals(List.of(c, b, a), Entry.page(List.of(List.of(a), List.of(b, c)), 0, 10));
  }

  @Test
  void anArticleInTwoSourcesCountsOnceAndPagingSkipsTheOffset() {
    Entry a = new Entry(1, 100);
    Entry b = new Entry(2, 200);
    Entry c = new Entry(3, 300);
    assertEquals(List.of(b), Entry.page(List.of(List.of(c, b), List.of(b, a)), 1, 1));
    assertEquals(List.of(), Entry.page(List.of(List.of(a)), 1, 5));
  }

  @Test
  void membersSortAsTheirIdsDo() {
    assertEquals(20, Entry.member(42).length());
    assertEquals(-1, Integer.signum(Entry.member(999).compareTo(Entry.member(1000))));
    assertEquals("0" + Long.MAX_VALUE, Entry.member(Long.MAX_VALUE));
    assertEquals(new Entry(7, 1735689600123L), Entry.of(Entry.member(7), "1735689600123"));
  }

  @Test
  void fingerprintsIgnoreOrderAndTellSetsApart() {
    assertEquals(Entry.fingerprint(List.of(1L, 2L, 3L)), Entry.fingerprint(List.of(3L, 1L, 2L)));
    assertNotEquals(Entry.fingerprint(Set.of(1L, 2L)), Entry.fingerprint(Set.of(1L, 3L)));
    assertNotEquals(Entry.fingerprint(Set.of()), Entry.fingerprint(Set.of(0L)));
    assertNotEquals(Entry.fingerprint(Set.of(1L)), Entry.fingerprint(Set.of(1L, 2L)));
  }
}
