package surge.stream;

import java.util.Arrays;
import java.util.Collection;

/**
 * The authors one stream follows, as a sorted {@code long[]}: 8 bytes per author instead of a boxed set's
 * ~50, because 10,000 open streams each keep one. Lookups are binary searches; changes (a follow or an
 * unfollow by the stream's own user) are rare and copy the array.
 */
final class Followees {
  static final long[] NONE = new long[0];

  private Followees() {}

  static long[] of(Collection<Long> ids) {
    long[] sorted = new long[ids.size()];
    int i = 0;
    for (Long id : ids) sorted[i++] = id;
    Arrays.sort(sorted);
    return sorted;
  }

  static boolean contains(long[] followees, long id) {
    return Arrays.binarySearch(followees, id) >= 0;
  }

  /** {@code followees} with {@code id} added; the same array when it is there already. */
  static long[] with(long[] followees, long id) {
    int at = Arrays.binarySearch(followees, id);
    if (at >= 0) return followees;
    int insert = -at - 1;
    long[] out = new long[followees.length + 1];
    System.arraycopy(followees, 0, out, 0, insert);
    out[insert] = id;
    System.arraycopy(followees, insert, out, insert + 1, followees.length - insert);
    return out;
  }

  /** {@code followees} without {@code id}; the same array when it was not there. */
  static long[] without(long[] followees, long id) {
    int at = Arrays.binarySearch(followees, id);
    if (at < 0) return followees;
    long[] out = new long[followees.length - 1];
    System.arraycopy(followees, 0, out, 0, at);
    System.arraycopy(followees, at + 1, out, at, followees.length - at - 1);
    return out;
  }
}
