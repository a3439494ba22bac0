package surge.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FolloweesTest {
  @Test
  void ofSortsAndContainsFinds() {
    long[] f = Followees.of(List.of(30L, 10L, 20L));
    assertArrayEquals(new long[] {10, 20, 30}, f);
    assertTrue(Followees.contains(f, 20));
    assertFalse(Followees.contains(f, 25));
    assertFalse(Followees.contains(Followees.NONE, 1));
  }

  @Test
  void withInsertsInOrderOnce() {
    long[] f = Followees.of(List.of(10L, 30L));
    assertArrayEquals(new long[] {5, 10, 30}, Followees.with(f, 5));
    assertArrayEquals(new long[] {10, 20, 30}, Followees.with(f, 20));
    assertArrayEquals(new long[] {10, 30, 40}, Followees.with(f, 40));
    assertSame(f, Followees.with(f, 30), "already there: no copy");
    assertArrayEquals(new long[] {7}, Followees.with(Followees.NONE, 7));
  }

  @Test
  void withoutRemovesOrKeeps() {
    long[] f = Followees.of(List.of(10L, 20L, 30L));
    assertArrayEquals(new long[] {10, 30}, Followees.without(f, 20));
    assertArrayEquals(new long[] {20, 30}, Followees.without(f, 10));
    assertArrayEquals(new long[] {10, 20}, Followees.without(f, 30));
    assertSame(f, Followees.without(f, 99), "absent: no copy");
    assertArrayEquals(new long[0], Followees.without(new long[] {5}, 5));
  }
}
