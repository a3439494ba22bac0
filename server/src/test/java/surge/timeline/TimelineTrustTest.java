package surge.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When timelines are believed: every partition reported lately and is close behind, and the outbox is not waiting. */
class TimelineTrustTest {
  static final long NOW = 1_000_000;

  @Test
  void freshReportsCloseBehindAndAnEmptyOutboxAreTrusted() {
    assertNull(TimelineTrust.distrust(List.of("0:" + NOW, "400:" + (NOW - 500)), 0, NOW, 1000, 2000));
    assertNull(TimelineTrust.distrust(List.of("0:" + NOW), Long.MIN_VALUE, NOW, 1000, 2000), "no relay here: not checked");
  }

  @Test
  void eachReasonDistrusts() {
    assertEquals("no consumer has reported", TimelineTrust.distrust(List.of(), 0, NOW, 1000, 2000));
    assertEquals("partition 1 has no consumer", TimelineTrust.distrust(Arrays.asList("0:" + NOW, null), 0, NOW, 1000, 2000));
    assertTrue(TimelineTrust.distrust(List.of("0:" + (NOW - 2001)), 0, NOW, 1000, 2000).contains("last reported"));
    assertTrue(TimelineTrust.distrust(List.of("1001:" + NOW), 0, NOW, 1000, 2000).contains("behind"));
    assertTrue(TimelineTrust.distrust(List.of("0:" + NOW), 1001, NOW, 1000, 2000).contains("outbox"));
    assertTrue(TimelineTrust.distrust(List.of("0:" + NOW), -1, NOW, 1000, 2000).contains("not measured"));
  }

  @Test
  void lagIsTheTimeSinceThePartitionWasLastCaughtUp() {
    assertEquals(0, TimelineTrust.lagMs(10, 10, NOW - 5000, NOW));
    assertEquals(5000, TimelineTrust.lagMs(9, 10, NOW - 5000, NOW));
  }
}
