package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The rotation decision from pure inputs, and lag in time from primary positions (replica lag is hard to cause on the stack). */
class ReplicaHealthTest {
  private static final ReplicaHealth.Bounds BOUNDS = new ReplicaHealth.Bounds(16 << 20, 2000, 2);

  @Test
  void startsOutOfRotationAndJoinsOnTheFirstGoodCheck() {
    ReplicaHealth h = ReplicaHealth.starting(BOUNDS);
    assertFalse(h.healthy());
    assertTrue(h.answered(0, 0, BOUNDS).healthy());
  }

  @Test
  void lagWithinBothBoundsIsHealthyAtTheBoundsToo() {
    ReplicaHealth h = ReplicaHealth.starting(BOUNDS).answered(0, 0, BOUNDS);
    assertTrue(h.answered(16 << 20, 2000, BOUNDS).healthy(), "bounds are inclusive");
    assertFalse(h.answered((16 << 20) + 1, 0, BOUNDS).healthy(), "one byte too far behind");
    assertFalse(h.answered(0, 2001, BOUNDS).healthy(), "one ms too late");
  }

  @Test
  void aBadCheckOrFailureLeavesAtOnceAndRejoiningTakesTwoGoodChecks() {
    ReplicaHealth h = ReplicaHealth.starting(BOUNDS).answered(0, 0, BOUNDS);
    ReplicaHealth down = h.failed();
    assertFalse(down.healthy());
    ReplicaHealth once = down.answered(0, 0, BOUNDS);
    assertFalse(once.healthy(), "one good answer after trouble is not enough");
    assertTrue(once.answered(0, 0, BOUNDS).healthy());

    ReplicaHealth lagging = h.answered(0, 5000, BOUNDS);
    assertFalse(lagging.healthy());
    assertFalse(lagging.answered(0, 0, BOUNDS).answered(0, 9000, BOUNDS).answered(0, 0, BOUNDS).healthy(),
        "a bad check in between restarts the count");
  }

  @Test
  void staysHealthyWhileChecksAreGood() {
    ReplicaHealth h = ReplicaHealth.starting(BOUNDS);
    for (int i = 0; i < 5; i++) {
      h = h.answered(100, 10, BOUNDS);
      assertTrue(h.healthy());
    }
    assertTrue(h.goodStreak() >= 5, String.valueOf(h.goodStreak()));
  }

  @Test
  void lagInTimeCountsFromTheFirstPrimaryPositionTheReplicaLacks() {
    LagClock clock = new LagClock(10_000);
    clock.primaryAt(1000, 100);
    clock.primaryAt(1500, 100); // idle: same position, keeps the first time
    clock.primaryAt(2000, 200);
    clock.primaryAt(2500, 300);
    assertEquals(0, clock.lagMs(2600, 300), "caught up");
    assertEquals(0, clock.lagMs(2600, 350), "ahead of the last sample");
    assertEquals(100, clock.lagMs(2600, 250), "lacks 300, seen at 2500");
    assertEquals(600, clock.lagMs(2600, 150), "lacks 200, seen at 2000");
    assertEquals(1600, clock.lagMs(2600, 99), "lacks 100, first seen at 1000, not 1500");
    assertEquals(300, clock.latest());
  }

  @Test
  void idleTimeBeforeAWriteIsNotLag() {
    LagClock clock = new LagClock(10_000);
    clock.primaryAt(0, 100);
    clock.primaryAt(60_000, 100);
    clock.primaryAt(60_500, 200); // the first write after a minute of quiet
    assertEquals(100, clock.lagMs(60_600, 100));
  }

  @Test
  void lagLongerThanTheRetentionStillReadsAsAtLeastTheRetention() {
    LagClock clock = new LagClock(3000);
    for (long t = 0; t <= 20_000; t += 500) clock.primaryAt(t, 1000 + t);
    assertTrue(clock.lagMs(20_000, 0) >= 3000, String.valueOf(clock.lagMs(20_000, 0)));
    assertEquals(0, clock.lagMs(20_000, 21_000));
  }
}
