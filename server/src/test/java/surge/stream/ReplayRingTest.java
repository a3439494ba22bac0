package surge.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayRingTest {
  static StreamEvent event(String id) {
    return new StreamEvent(id, StreamEvent.Kind.ARTICLE_CREATED, 1, -1, 2, new io.vertx.core.json.JsonObject(), Buffer.buffer(id));
  }

  static List<String> ids(List<StreamEvent> events) {
    return events == null ? null : events.stream().map(StreamEvent::id).toList();
  }

  @Test
  void replaysWhatFollowsAnIdInOrder() {
    ReplayRing ring = new ReplayRing(10, 60_000);
    for (String id : List.of("a", "b", "c", "d")) ring.add(event(id), 1000);
    assertEquals(List.of("c", "d"), ids(ring.since(ring.positionAfter("b", 1000))));
    assertEquals(List.of(), ids(ring.since(ring.positionAfter("d", 1000))), "the newest id: nothing missed");
    assertEquals(-1, ring.positionAfter("zz", 1000));
    assertEquals("d", ring.newestId());
  }

  @Test
  void aPositionTakenEarlierYieldsEverythingSince() {
    ReplayRing ring = new ReplayRing(10, 60_000);
    ring.add(event("a"), 0);
    long mark = ring.position();
    assertEquals(List.of(), ids(ring.since(mark)));
    ring.add(event("b"), 0);
    ring.add(event("c"), 0);
    assertEquals(List.of("b", "c"), ids(ring.since(mark)));
  }

  @Test
  void theOldestFallOutPastCapacity() {
    ReplayRing ring = new ReplayRing(3, 60_000);
    long start = ring.position();
    for (String id : List.of("a", "b", "c", "d", "e")) ring.add(event(id), 0);
    assertEquals(3, ring.size());
    assertEquals(-1, ring.positionAfter("b", 0), "evicted");
    assertEquals(List.of("d", "e"), ids(ring.since(ring.positionAfter("c", 0))));
    assertNull(ring.since(start), "a position before the window cannot be replayed");
  }

  @Test
  void entriesOlderThanTheAgeLimitLeaveTheWindowButTheNewestStaysAPosition() {
    ReplayRing ring = new ReplayRing(10, 1_000);
    ring.add(event("a"), 0);
    ring.add(event("b"), 500);
    assertEquals(List.of("b"), ids(ring.since(ring.positionAfter("a", 900))));
    assertEquals(-1, ring.positionAfter("a", 1_200), "a is 1.2 s old");
    assertEquals(List.of(), ids(ring.since(ring.positionAfter("b", 60_000))), "b is old but the newest: nothing missed");
    assertEquals(1, ring.size());
  }

  @Test
  void aZeroSizeRingResetsEveryResumeButStillMarksPositions() {
    ReplayRing ring = new ReplayRing(0, 60_000);
    long mark = ring.position();
    assertEquals(List.of(), ids(ring.since(mark)));
    ring.add(event("a"), 0);
    assertEquals(-1, ring.positionAfter("a", 0));
    assertNull(ring.since(mark));
    assertNull(ring.newestId());
  }
}
