package surge.cache;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * A set of ids kept in the {@code viewer} cache (whom a user follows, what they favorited): a sorted array, 8 bytes
 * per id, since a node keeps one or two per signed-in user it has seen lately. {@code complete} is false when there
 * were more than the loader keeps: then only a member is an answer, and callers ask the database about the rest.
 */
public final class IdSet {
  private final long[] sorted;
  private final boolean complete;

  private IdSet(long[] sorted, boolean complete) {
    this.sorted = sorted;
    this.complete = complete;
  }

  /** The set of {@code ids} found, complete unless the loader stopped at its cap ({@code more}). */
  public static IdSet of(Collection<Long> ids, boolean more) {
    return new IdSet(ids.stream().mapToLong(Long::longValue).sorted().distinct().toArray(), !more);
  }

  public boolean complete() {
    return complete;
  }

  public boolean contains(long id) {
    return Arrays.binarySearch(sorted, id) >= 0;
  }

  /**
   * The members, as a set (the feed's followee list): made once per instance and unmodifiable, so that a reader of
   * the same cached set gets the same instance (what the feed's memos compare).
   */
  public Set<Long> ids() {
    Set<Long> out = members;
    if (out == null) {
      Set<Long> made = new HashSet<>(sorted.length * 2);
      for (long id : sorted) made.add(id);
      members = out = Collections.unmodifiableSet(made);
    }
    return out;
  }

  /** {@link #ids()}, once asked for; racy but idempotent (any thread makes an equal set). */
  private volatile Set<Long> members;

  /** Which of {@code candidates} are members, when this set can tell (complete, or all found); else null. */
  public Set<Long> among(Collection<Long> candidates) {
    Set<Long> found = new HashSet<>();
    for (long id : candidates) if (contains(id)) found.add(id);
    return complete || found.size() == candidates.size() ? found : null;
  }

  /** {@code c|1,2,3} (complete) or {@code p|1,2,3} (partial): compact in Redis, cheap to parse. */
  String encode() {
    StringBuilder out = new StringBuilder(sorted.length * 20 + 2).append(complete ? 'c' : 'p').append('|');
    for (int i = 0; i < sorted.length; i++) {
      if (i > 0) out.append(',');
      out.append(sorted[i]);
    }
    return out.toString();
  }

  static IdSet decode(String text) {
    boolean complete = text.charAt(0) == 'c';
    long[] ids = new long[text.length() > 2 ? (int) text.chars().filter(c -> c == ',').count() + 1 : 0];
    int start = 2;
    for (int i = 0; i < ids.length; i++) {
      int comma = text.indexOf(',', start);
      int end = comma < 0 ? text.length() : comma;
      ids[i] = Long.parseLong(text, start, end, 10);
      start = end + 1;
    }
    Arrays.sort(ids);
    return new IdSet(ids, complete);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IdSet set && set.complete == complete && Arrays.equals(set.sorted, sorted);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sorted) * 31 + (complete ? 1 : 0);
  }

  @Override
  public String toString() {
    return (complete ? "complete " : "partial ") + Arrays.toString(sorted);
  }
}
