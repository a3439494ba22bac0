package surge.timeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * One article's place in a feed: its id and its creation time in epoch milliseconds. Feeds are newest first, ties
 * broken by the larger id, the order of the scatter-gather query ({@code created_at DESC, id DESC}).
 *
 * <p>In Redis the score is {@code createdMs} (exact in a double) and the member the id zero-padded to 20 digits, so
 * Redis's own order for equal scores (members by bytes, reversed by {@code ZREVRANGE}) is the id order.
 */
public record Entry(long id, long createdMs) {
  public static final Comparator<Entry> NEWEST_FIRST = Comparator.comparingLong(Entry::createdMs).reversed()
      .thenComparing(Comparator.comparingLong(Entry::id).reversed());

  /** The Redis member of an article id. */
  public static String member(long id) {
    return String.format("%020d", id);
  }

  /** The entry of a Redis member and its score. */
  static Entry of(String member, String score) {
    return new Entry(Long.parseLong(member), (long) Double.parseDouble(score));
  }

  /**
   * Entries of several sources, newest first, each id once, from position {@code offset} on, at most {@code limit}:
   * a timeline's range and the articles of authors merged in at read time.
   */
  public static List<Entry> page(Collection<List<Entry>> sources, int offset, int limit) {
    List<Entry> all = new ArrayList<>();
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (List<Entry> source : sources) for (Entry e : source) if (seen.add(e.id())) all.add(e);
    all.sort(NEWEST_FIRST);
    if (offset >= all.size()) return List.of();
    return List.copyOf(all.subList(offset, Math.min(all.size(), offset + limit)));
  }

  /**
   * A fingerprint of a set of author ids, independent of their order: what a timeline was built for. A reader whose
   * timeline authors differ (a follow, an unfollow, an author turned hybrid) finds another fingerprint and rebuilds.
   * XOR of a 64-bit mix per id, so one follow changes it by that id's mix alone.
   */
  public static String fingerprint(Collection<Long> authors) {
    long fp = 0x5eed_f00d_c0ffeeL;
    for (long id : authors) fp ^= mix(id);
    return Long.toHexString(fp) + ":" + authors.size();
  }

  /** SplitMix64's finaliser: neighbouring ids give unrelated bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
