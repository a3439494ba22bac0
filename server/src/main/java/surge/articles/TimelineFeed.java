package surge.articles;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import surge.core.Viewer;
import surge.profiles.ProfilesService;
import surge.timeline.Entry;
import surge.timeline.TimelineRepository;
import surge.timeline.Timelines;
import surge.web.EncodedJson;

/**
 * A feed page from the viewer's timeline: one Redis range (the newest {@code offset + limit} entries), the articles of
 * the followed authors that are merged in at read time (hybrid authors, and the viewer if they follow themselves,
 * read from the primaries), then the articles and authors from their caches and the viewer's favorites.
 *
 * <p>It answers only when that is exactly what the scatter-gather query would: otherwise {@link #page} completes with
 * null and the caller runs the query. That is the case while the timeline is being rebuilt, when the page is deeper
 * than a timeline cut at its capacity holds, and when an entry turns out stale (its article deleted, or its author no
 * longer among the timeline's authors, both of which the fan-out is about to fix): the stale entries are dropped on
 * the way out. A missing timeline, or one built for other authors, is rebuilt from the primaries first.
 */
final class TimelineFeed {
  /** Viewers whose trimmed-timeline count is kept (a few dozen bytes each). */
  private static final int COUNTS_KEPT = 100_000;
  /** Feed pages kept as built (about their encoded size each: 1–20 kB), see {@link #built}. */
  private static final int PAGES_KEPT = 2_000;
  /** Entries a rebuild keeps at most (see {@link #rebuild}). */
  private static final int REBUILD_DEPTH = 100;

  private final Timelines timelines;
  private final TimelineRepository repository;
  private final ProfilesService profiles;
  private final Function<List<String>, Future<Map<String, JsonObject>>> cores;
  /**
   * {@code articlesCount} of a timeline cut at its capacity, which only a count over the authors' shards knows: kept
   * per viewer, set of timeline authors, newest entry and generation of {@link surge.cache.Caches#DELETIONS}, so it
   * is counted afresh exactly when it can have changed: a follow or unfollow changes the authors, a followed author's
   * new article the newest entry, a deletion anywhere the generation. Until then a reader pays the count once, not
   * once per page or per few seconds; the lifetime ({@code countTtlMs}) is only a safety net.
   */
  private final Cache<String, Long> trimmedCounts;
  /**
   * The page last built per viewer and position, with what it was built from: the article cores and author profiles
   * as this node's caches hold them (instances, replaced by any change), the viewer's favorites among them and the
   * count. A viewer reading their feed again while none of those changed gets that very page, which is encoded once
   * ({@link EncodedJson#shared}), instead of twenty items built and encoded again.
   */
  private final Cache<String, Built> built = Caffeine.newBuilder().maximumSize(PAGES_KEPT).executor(Runnable::run).build();

  private record Built(JsonObject[] cores, JsonObject[] authors, Set<Long> favorites, long count, JsonObject page) {
    boolean from(JsonObject[] nowCores, JsonObject[] nowAuthors, Set<Long> nowFavorites, long nowCount) {
      if (count != nowCount || cores.length != nowCores.length || !favorites.equals(nowFavorites)) return false;
      for (int i = 0; i < cores.length; i++) if (cores[i] != nowCores[i] || authors[i] != nowAuthors[i]) return false;
      return true;
    }
  }

  /** The memo key of a count: its base with the current generation of deletions. */
  private final Function<String, Future<String>> countKey;

  TimelineFeed(Timelines timelines, TimelineRepository repository, ProfilesService profiles,
               Function<List<String>, Future<Map<String, JsonObject>>> cores, Function<String, Future<String>> countKey,
               long countTtlMs) {
    this.timelines = timelines;
    this.repository = repository;
    this.profiles = profiles;
    this.cores = cores;
    this.countKey = countKey;
    // Runnable::run: maintenance on the calling event loop, no hand-off to the common pool per write
    this.trimmedCounts = Caffeine.newBuilder().maximumSize(COUNTS_KEPT).expireAfterWrite(Duration.ofMillis(countTtlMs))
        .executor(Runnable::run).build();
  }

  /** Whether a timeline may answer this page now: it is trusted and holds that deep. */
  boolean covers(int limit, int offset) {
    return (long) offset + limit <= timelines.config().capacity() && timelines.usable();
  }

  /** Counts a page the scatter-gather query answers instead. */
  Future<JsonObject> fallback(Future<JsonObject> query) {
    timelines.stats().servedByFallback();
    return query;
  }

  /** The page from the timeline, or null where only the query is exact. */
  Future<JsonObject> page(Viewer viewer, Set<Long> followees, int limit, int offset,
                          Function<Collection<Long>, Future<Set<Long>>> favorited) {
    long user = viewer.user();
    Timelines.Authors of = timelines.authors(user, followees);
    Set<Long> authors = of.ids();
    List<Long> merged = of.merged();
    String fp = of.fingerprint();
    int n = offset + limit;
    Future<Served> range = range(user, authors, fp, n);
    Future<List<Entry>> extra = repository.newest(merged, n);
    Future<Long> extraCount = repository.count(merged);
    return Future.all(range, extra, extraCount).compose(done -> {
      Served served = range.result();
      if (served == null || (served.range().trimmed() && n > served.range().size())) return Future.succeededFuture(null);
      List<Entry> head = Entry.page(List.of(served.range().entries(), extra.result()), 0, n);
      Future<Long> count = served.range().trimmed() ? trimmedCount(user, fp, served.range().entries(), authors)
          : Future.succeededFuture(served.range().size());
      return count.compose(c -> assemble(user, served, authors, head, offset, c + extraCount.result(), favorited));
    });
  }

  private Future<Long> trimmedCount(long user, String fp, List<Entry> newestFirst, Set<Long> authors) {
    return countKey.apply(user + ":" + fp + ":" + (newestFirst.isEmpty() ? 0 : newestFirst.get(0).id())).compose(key -> {
      Long known = trimmedCounts.getIfPresent(key);
      if (known != null) return Future.succeededFuture(known);
      return repository.count(authors).onSuccess(count -> trimmedCounts.put(key, count));
    });
  }

  /** A timeline range and whether it was rebuilt for this read. */
  private record Served(Timelines.Range range, boolean rebuilt) {}

  /** The timeline's newest entries, rebuilt first when it is missing or built for other authors; null while building. */
  private Future<Served> range(long user, Set<Long> authors, String fp, int n) {
    return timelines.read(user, authors, fp, n).compose(found -> {
      if (found.ok()) return Future.succeededFuture(new Served(found, false));
      if (found.status().equals("building")) return Future.succeededFuture(null);
      return rebuild(user, authors, fp).compose(built -> built ? timelines.read(user, authors, fp, n) : Future.succeededFuture(null))
          .map(again -> again != null && again.ok() ? new Served(again, true) : null);
    });
  }

  /**
   * The timeline from the primaries: the authors' newest articles, one more than it keeps to tell whether it is cut.
   * A rebuild keeps at most {@link #REBUILD_DEPTH} (five pages of 20), not the whole capacity: it runs on a reader's
   * first feed read, and most readers read the first pages. Fan-outs then grow the timeline towards its capacity;
   * a page deeper than a cut timeline holds is answered by the query, as for any cut timeline.
   */
  private Future<Boolean> rebuild(long user, Set<Long> authors, String fp) {
    int keep = Math.min(REBUILD_DEPTH, timelines.config().capacity());
    return timelines.begin(user).compose(token -> repository.newest(authors, keep + 1)
        .compose(newest -> timelines.complete(user, token, fp, newest.subList(0, Math.min(keep, newest.size())),
            newest.size() > keep)));
  }

  private Future<JsonObject> assemble(long user, Served served, Set<Long> authors, List<Entry> head, int offset,
                                      long count, Function<Collection<Long>, Future<Set<Long>>> favorited) {
    List<String> keys = head.stream().map(e -> Long.toString(e.id())).toList();
    return cores.apply(keys).compose(found -> {
      if (!current(user, served, authors, head, found)) return Future.succeededFuture(null);
      List<Entry> onPage = head.subList(Math.min(offset, head.size()), head.size());
      Set<Long> authorIds = new HashSet<>();
      for (Entry e : onPage) authorIds.add(Article.authorIdOf(found.get(Long.toString(e.id()))));
      List<Long> ids = onPage.stream().map(Entry::id).toList();
      Future<Map<Long, JsonObject>> profilesById = profiles.cachedByIds(authorIds);
      Future<Set<Long>> favorites = favorited.apply(ids);
      String key = user + ":" + offset + ":" + onPage.size();
      return Future.all(profilesById, favorites).map(done -> page(key, onPage, found, profilesById.result(), favorites.result(), count))
          .andThen(done -> {
            if (done.succeeded() && done.result() != null) timelines.stats().servedFromTimeline(served.rebuilt());
          });
    });
  }

  /**
   * Whether every entry up to the page's end is an article that exists, from the timeline only by one of its authors;
   * stale timeline entries are dropped (the read then falls back once).
   */
  private boolean current(long user, Served served, Set<Long> authors, List<Entry> head, Map<String, JsonObject> found) {
    Set<Long> fromTimeline = new HashSet<>();
    for (Entry e : served.range().entries()) fromTimeline.add(e.id());
    List<Long> stale = new ArrayList<>();
    boolean missing = false;
    for (Entry e : head) {
      JsonObject core = found.get(Long.toString(e.id()));
      boolean timelineEntry = fromTimeline.contains(e.id());
      if (timelineEntry && (core == null || !authors.contains(Article.authorIdOf(core)))) stale.add(e.id());
      else if (core == null) missing = true; // a merged author's article deleted since it was read
    }
    if (!stale.isEmpty()) timelines.drop(user, stale);
    return stale.isEmpty() && !missing;
  }

  /** The page {@link #built} holds for {@code key} if it was built from these very parts, else one built now. */
  private JsonObject page(String key, List<Entry> onPage, Map<String, JsonObject> coreById, Map<Long, JsonObject> authorById,
                          Set<Long> favorites, long count) {
    JsonObject[] cores = new JsonObject[onPage.size()];
    JsonObject[] authors = new JsonObject[onPage.size()];
    for (int i = 0; i < cores.length; i++) {
      cores[i] = coreById.get(Long.toString(onPage.get(i).id()));
      authors[i] = authorById.get(Article.authorIdOf(cores[i]));
      if (authors[i] == null) return null; // an author gone with their account: the query knows
    }
    Built known = built.getIfPresent(key);
    if (known != null && known.from(cores, authors, favorites, count)) {
      timelines.stats().pageReused();
      return known.page();
    }
    JsonObject page = EncodedJson.shared(json(onPage, cores, authors, favorites, count));
    built.put(key, new Built(cores, authors, Set.copyOf(favorites), count, page));
    return page;
  }

  /** The response, as the scatter-gather query's page has it: list items without bodies, every author followed. */
  private static JsonObject json(List<Entry> onPage, JsonObject[] cores, JsonObject[] authors, Set<Long> favorites,
                                 long count) {
    JsonArray items = new JsonArray(new ArrayList<>(onPage.size()));
    for (int i = 0; i < cores.length; i++) {
      long id = onPage.get(i).id();
      items.add(Article.listedJson(cores[i], ProfilesService.fromCached(authors[i]), favorites.contains(id), true));
    }
    return new JsonObject().put("articles", items).put("articlesCount", count);
  }
}
