package surge.cache;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * A set of ids kept in the {@code viewer} cache (whom a user follows, what they favorited). {@code complete} is false
 * when there were more than the loader keeps: then only {@link #contains} of a member is an answer, and callers ask
 * the database about the rest.
 */
public record IdSet(Set<Long> ids, boolean complete) {
  public IdSet {
    ids = Set.copyOf(ids);
  }

  /** The set of {@code ids} found, complete unless the loader stopped at its cap ({@code more}). */
  public static IdSet of(Collection<Long> ids, boolean more) {
    return new IdSet(new HashSet<>(ids), !more);
  }

  public boolean contains(long id) {
    return ids.contains(id);
  }

  /** Which of {@code candidates} are members, when this set can tell (complete, or all found); else null. */
  public Set<Long> among(Collection<Long> candidates) {
    Set<Long> found = new HashSet<>();
    for (long id : candidates) if (ids.contains(id)) found.add(id);
    return complete || found.size() == candidates.size() ? found : null;
  }

  /** {@code c|1,2,3} (complete) or {@code p|1,2,3} (partial): compact in Redis, cheap to parse. */
  String encode() {
    StringBuilder out = new StringBuilder(ids.size() * 8 + 2).append(complete ? 'c' : 'p').append('|');
    boolean first = true;
    for (long id : ids) {
      if (!first) out.append(',');
      out.append(id);
      first = false;
    }
    return out.toString();
  }

  static IdSet decode(String text) {
    boolean complete = text.charAt(0) == 'c';
    Set<Long> ids = new HashSet<>();
    int start = 2;
    while (start < text.length()) {
      int comma = text.indexOf(',', start);
      int end = comma < 0 ? text.length() : comma;
      ids.add(Long.parseLong(text, start, end, 10));
      start = end + 1;
    }
    return new IdSet(ids, complete);
  }
}
