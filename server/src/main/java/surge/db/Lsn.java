package surge.db;

import java.util.Locale;

/**
 * PostgreSQL WAL positions ({@code pg_lsn}, text {@code X/Y} in hex) as unsigned 64-bit longs
 * {@code (X << 32) | Y}, so that "has this replica replayed that far" is one comparison.
 *
 * <p>Two values have a meaning of their own as read-your-writes marks: {@link #NONE} (0, every
 * replica has reached it) and {@link #PRIMARY} (the largest unsigned value, no replica reaches it).
 */
public final class Lsn {
  /** No requirement: any replica will do. */
  public static final long NONE = 0L;
  /** Unknown requirement: only the primary is safe. */
  public static final long PRIMARY = -1L;

  private Lsn() {}

  /** Parses PostgreSQL's {@code X/Y} text form (1 to 8 hex digits each). */
  public static long parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 1 || slash > 8 || text.length() - slash - 1 < 1 || text.length() - slash - 1 > 8) {
      throw new IllegalArgumentException("not a WAL position: '" + text + "'");
    }
    return (hex(text, 0, slash) << 32) | hex(text, slash + 1, text.length());
  }

  private static long hex(String text, int from, int to) {
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = Character.digit(text.charAt(i), 16);
      if (digit < 0) throw new IllegalArgumentException("not a WAL position: '" + text + "'");
      value = (value << 4) | digit;
    }
    return value;
  }

  /** PostgreSQL's text form, e.g. {@code 0/65AD598}. */
  public static String format(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase(Locale.ROOT) + "/" + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase(Locale.ROOT);
  }

  /** Whether a server that replayed up to {@code replayed} shows everything written before {@code mark}. */
  public static boolean reached(long replayed, long mark) {
    return Long.compareUnsigned(replayed, mark) >= 0;
  }

  public static long max(long a, long b) {
    return Long.compareUnsigned(a, b) >= 0 ? a : b;
  }

  /** Bytes from {@code behind} to {@code ahead}; 0 when {@code behind} is not behind. */
  public static long distance(long ahead, long behind) {
    return Long.compareUnsigned(ahead, behind) > 0 ? ahead - behind : 0;
  }

  /** Fixed-width lower-case hex: sorts as the number does, so Redis can keep the larger of two as a string. */
  static String toKey(long lsn) {
    String hex = Long.toHexString(lsn);
    return "0".repeat(16 - hex.length()) + hex;
  }

  static long fromKey(String key) {
    return Long.parseUnsignedLong(key, 16);
  }
}
