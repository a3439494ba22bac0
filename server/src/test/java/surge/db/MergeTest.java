package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Merge#page} against the obvious oracle: sort the concatenation of all parts and cut the
 * window out of it. Rows are (createdAt, id) pairs ordered newest first with the id breaking ties,
 * like article lists, so the order is total and equal timestamps across parts are common.
 */
class MergeTest {
  record Row(long createdAt, long id) {}

  static final Comparator<Row> NEWEST_FIRST = Comparator.comparingLong(Row::createdAt).reversed()
      .thenComparing(Comparator.comparingLong(Row::id).reversed());

  /** What one database holding every row would answer. */
  static List<Row> oracle(List<List<Row>> parts, int offset, int limit) {
    List<Row> all = new ArrayList<>();
    parts.forEach(all::addAll);
    all.sort(NEWEST_FIRST);
    if (offset >= all.size()) return List.of();
    return List.copyOf(all.subList(offset, (int) Math.min(all.size(), (long) offset + limit)));
  }

  /** {@code count} sorted parts with few distinct timestamps (many ties) and unique ids. */
  static List<List<Row>> randomParts(Random random, int count, int maxSize, long[] nextId) {
    List<List<Row>> parts = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      int size = random.nextInt(4) == 0 ? 0 : random.nextInt(maxSize + 1);
      List<Row> part = new ArrayList<>();
      for (int i = 0; i < size; i++) part.add(new Row(random.nextInt(maxSize / 2 + 1), nextId[0]++));
      part.sort(NEWEST_FIRST);
      parts.add(part);
    }
    return parts;
  }

  /** Each shard answers only its first offset+limit rows, as the scatter-gather query asks. */
  static List<List<Row>> truncated(List<List<Row>> parts, int offset, int limit) {
    long keep = (long) offset + limit;
    List<List<Row>> out = new ArrayList<>();
    for (List<Row> part : parts) out.add(List.copyOf(part.subList(0, (int) Math.min(part.size(), keep))));
    return out;
  }

  @Test
  void randomSortedPartsMergeToTheWindowOfTheSortedConcatenation() {
    Random random = new Random(7_202_501L);
    long[] nextId = {1};
    for (int round = 0; round < 5_000; round++) {
      List<List<Row>> parts = randomParts(random, 1 + random.nextInt(6), 1 + random.nextInt(30), nextId);
      int total = parts.stream().mapToInt(List::size).sum();
      int offset = random.nextInt(total + 5);
      int limit = random.nextInt(3) == 0 ? random.nextInt(3) : 1 + random.nextInt(total + 5);
      String what = "round " + round + " offset=" + offset + " limit=" + limit + " parts=" + parts;
      List<Row> expected = oracle(parts, offset, limit);
      assertEquals(expected, List.copyOf(Merge.page(parts, NEWEST_FIRST, offset, limit)), what);
      assertEquals(expected, List.copyOf(Merge.page(truncated(parts, offset, limit), NEWEST_FIRST, offset, limit)),
          "truncated parts, " + what);
    }
  }

  @Test
  void offsetsAtAndBeyondTheEndGiveAnEmptyPage() {
    List<List<Row>> parts = List.of(
        List.of(new Row(9, 4), new Row(5, 2)),
        List.of(new Row(9, 3), new Row(1, 1)));
    assertEquals(List.of(new Row(1, 1)), Merge.page(parts, NEWEST_FIRST, 3, 20));
    for (int offset : new int[] {4, 5, 100, Integer.MAX_VALUE}) {
      assertEquals(List.of(), Merge.page(parts, NEWEST_FIRST, offset, 20), "offset " + offset);
      assertEquals(List.of(), Merge.page(parts.subList(0, 1), NEWEST_FIRST, offset, 20), "single part, offset " + offset);
    }
  }

  @Test
  void limitZeroGivesNothingAndLimitOneGivesTheNextRow() {
    List<List<Row>> parts = List.of(
        List.of(new Row(9, 4), new Row(5, 2)),
        List.of(new Row(9, 3), new Row(1, 1)));
    List<Row> order = List.of(new Row(9, 4), new Row(9, 3), new Row(5, 2), new Row(1, 1));
    for (int offset = 0; offset < 6; offset++) {
      assertEquals(List.of(), Merge.page(parts, NEWEST_FIRST, offset, 0), "limit 0, offset " + offset);
      assertEquals(List.of(), Merge.page(parts.subList(0, 1), NEWEST_FIRST, offset, 0), "single part, limit 0, offset " + offset);
      List<Row> one = offset < order.size() ? List.of(order.get(offset)) : List.of();
      assertEquals(one, Merge.page(parts, NEWEST_FIRST, offset, 1), "limit 1, offset " + offset);
    }
  }

  @Test
  void aSinglePartIsItsOwnWindow() {
    List<Row> part = List.of(new Row(8, 5), new Row(7, 4), new Row(7, 3), new Row(2, 9), new Row(1, 1));
    for (int offset = 0; offset <= part.size() + 1; offset++) {
      for (int limit = 0; limit <= part.size() + 1; limit++) {
        assertEquals(oracle(List.of(part), offset, limit), Merge.page(List.of(part), NEWEST_FIRST, offset, limit),
            "offset " + offset + " limit " + limit);
      }
    }
  }

  @Test
  void aLimitAsLargeAsAnIntMeansEveryRemainingRow() {
    List<Row> part = List.of(new Row(8, 5), new Row(7, 4), new Row(2, 9));
    List<Row> other = List.of(new Row(7, 6));
    assertEquals(part.subList(1, 3), Merge.page(List.of(part), NEWEST_FIRST, 1, Integer.MAX_VALUE));
    assertEquals(List.of(new Row(7, 6), new Row(7, 4), new Row(2, 9)),
        Merge.page(List.of(part, other), NEWEST_FIRST, 1, Integer.MAX_VALUE));
  }

  @Test
  void emptyPartsAreHarmless() {
    List<Row> rows = List.of(new Row(3, 3), new Row(2, 2), new Row(1, 1));
    assertEquals(List.of(), Merge.page(List.of(), NEWEST_FIRST, 0, 20));
    assertEquals(List.of(), Merge.page(List.of(List.of()), NEWEST_FIRST, 0, 20));
    assertEquals(List.of(), Merge.page(List.of(List.of(), List.of(), List.of()), NEWEST_FIRST, 0, 20));
    assertEquals(rows, Merge.page(List.of(List.of(), rows, List.of()), NEWEST_FIRST, 0, 20));
    assertEquals(rows.subList(1, 3), Merge.page(List.of(rows, List.of()), NEWEST_FIRST, 1, 20));
    assertEquals(rows.subList(2, 3), Merge.page(List.of(List.of(), rows), NEWEST_FIRST, 2, 1));
  }
}
