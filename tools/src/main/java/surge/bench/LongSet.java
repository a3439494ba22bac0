package surge.bench;

/**
 * A set of non-negative longs in one open-addressing array: the generator checks a million
 * (article, user) pairs for duplicates, and boxed Longs in a HashSet would cost ten times the memory.
 */
final class LongSet {
  private static final long EMPTY = -1;
  private long[] slots;
  private int size;

  LongSet(int expected) {
    slots = new long[tableSize(expected)];
    java.util.Arrays.fill(slots, EMPTY);
  }

  /** Adds the key; false when it was there already. */
  boolean add(long key) {
    if (key < 0) throw new IllegalArgumentException("negative key " + key);
    if ((size + 1) * 2L > slots.length) grow();
    int i = slot(slots, key);
    if (slots[i] == key) return false;
    slots[i] = key;
    size++;
    return true;
  }

  boolean contains(long key) {
    return slots[slot(slots, key)] == key;
  }

  int size() {
    return size;
  }

  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    java.util.Arrays.fill(slots, EMPTY);
    for (long key : old) if (key != EMPTY) slots[slot(slots, key)] = key;
  }

  /** The slot holding the key, or the empty slot where it would go (linear probing). */
  private static int slot(long[] table, long key) {
    int mask = table.length - 1;
    int i = (int) (mix(key) & mask);
    while (table[i] != EMPTY && table[i] != key) i = (i + 1) & mask;
    return i;
  }

  private static long mix(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 32);
  }

  private static int tableSize(int expected) {
    int n = 16;
    while (n < expected * 2L) n <<= 1;
    return n;
  }
}
