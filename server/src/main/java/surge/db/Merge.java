package surge.db;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Scatter-gather merge: each shard returns its first {@code offset + limit} rows in one global
 * order; the page is rows {@code offset .. offset+limit} of their k-way merge. Equal to what one
 * database holding all rows would return, given that the order is total (ties broken by id).
 */
public final class Merge {
  private Merge() {}

  public static <T> List<T> page(List<List<T>> sortedParts, Comparator<T> order, int offset, int limit) {
    if (sortedParts.size() == 1) return window(sortedParts.get(0), offset, limit);
    record Cursor<T>(List<T> part, int index) {}
    PriorityQueue<Cursor<T>> heads = new PriorityQueue<>(
        (a, b) -> order.compare(a.part().get(a.index()), b.part().get(b.index())));
    for (List<T> part : sortedParts) if (!part.isEmpty()) heads.add(new Cursor<>(part, 0));
    List<T> out = new ArrayList<>(Math.min(limit, 1024));
    long skipped = 0;
    while (!heads.isEmpty() && out.size() < limit) {
      Cursor<T> head = heads.poll();
      if (skipped < offset) skipped++;
      else out.add(head.part().get(head.index()));
      if (head.index() + 1 < head.part().size()) heads.add(new Cursor<>(head.part(), head.index() + 1));
    }
    return out;
  }

  private static <T> List<T> window(List<T> rows, int offset, int limit) {
    if (offset >= rows.size()) return List.of();
    return rows.subList(offset, (int) Math.min(rows.size(), (long) offset + limit)); // no int overflow for huge limits
  }
}
