package surge.profiles;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import surge.cache.Caches;
import surge.core.ApiError;
import surge.core.Viewer;
import surge.timeline.Entry;
import surge.timeline.TimelineRepository;
import surge.timeline.Timelines;

/**
 * Profile reads and follow/unfollow. Other features call it for authors' profiles and follow flags.
 * Reads of reading requests go through the {@code profile} cache ({@code name:<username>},
 * {@code id:<userId>}); {@code following} comes from the viewer's own followee set in the {@code viewer} cache
 * ({@code fol:<userId>}), which only their own follow and unfollow change.
 */
public final class ProfilesService {
  /** Cache loads read primaries, so a load that starts after a write commits sees it. */
  private static final Viewer LOADER = Viewer.of(null, true);
  /** A followee set larger than this is not cached whole; members beyond it are asked of the database. */
  static final int FOLLOWEES_CACHED = 5_000;
  private final ProfilesRepository repository;
  private final Caches caches;
  /** The feed's timelines, which follows and unfollows adjust before they answer; null with timelines off. */
  private final Timelines timelines;
  private final TimelineRepository timelineRepository;

  public ProfilesService(ProfilesRepository repository, Caches caches, Timelines timelines,
                         TimelineRepository timelineRepository) {
    this.repository = repository;
    this.caches = caches;
    this.timelines = timelines;
    this.timelineRepository = timelineRepository;
  }

  public Future<Profile> find(String username, Viewer viewer) {
    return lookup(username, viewer).map(p -> p.orElseThrow(() -> ApiError.notFound("profile")));
  }

  public Future<ViewedProfile> view(String username, Viewer viewer) {
    return find(username, viewer).compose(profile -> isFollowing(viewer, profile.id())
        .map(following -> new ViewedProfile(profile, following)));
  }

  public Future<ViewedProfile> follow(Viewer viewer, String username) {
    return find(username, viewer).compose(profile -> repository.follow(viewer, profile.id())
        .compose(done -> caches.followChanged(viewer))
        .compose(done -> adjustTimeline(viewer, profile.id(), true))
        .map(done -> new ViewedProfile(profile, true)));
  }

  public Future<ViewedProfile> unfollow(Viewer viewer, String username) {
    return find(username, viewer).compose(profile -> repository.unfollow(viewer, profile.id())
        .compose(done -> caches.followChanged(viewer))
        .compose(done -> adjustTimeline(viewer, profile.id(), false))
        .map(done -> new ViewedProfile(profile, false)));
  }

  /**
   * The follower's timeline takes (or loses) the author's articles before the follow answers, so the follower's next
   * feed shows the change from the timeline. It is keyed by the fingerprints of the timeline's authors before and
   * after: a timeline built for other authors (a lost adjustment, a repeated follow) is dropped and rebuilt on read.
   * Hybrid authors and the follower themselves are merged into the feed on read and never in a timeline. A failure
   * leaves the timeline as it was; its fingerprint then no longer matches, so the next read rebuilds it.
   */
  private Future<Void> adjustTimeline(Viewer viewer, long author, boolean follow) {
    long user = viewer.user();
    if (timelines == null || author == user || timelines.hybrid(author)) return Future.succeededFuture();
    int capacity = timelines.config().capacity();
    Future<Set<Long>> followees = repository.followees(viewer); // the writer's own read: on the primary
    Future<List<Entry>> articles = timelineRepository.newest(List.of(author), capacity + 1);
    return Future.all(followees, articles).compose(done -> {
      Set<Long> after = timelines.timelineAuthors(user, followees.result());
      Set<Long> before = new java.util.HashSet<>(after);
      if (follow) before.remove(author); else before.add(author);
      List<Entry> newest = articles.result();
      List<Entry> kept = newest.subList(0, Math.min(capacity, newest.size()));
      String fpBefore = Entry.fingerprint(before);
      String fpAfter = Entry.fingerprint(after);
      return follow ? timelines.followed(user, author, fpBefore, fpAfter, kept, newest.size() <= capacity)
          : timelines.unfollowed(user, author, fpBefore, fpAfter, kept.stream().map(Entry::id).toList());
    }).otherwiseEmpty();
  }

  public Future<Boolean> isFollowing(Viewer viewer, long profileId) {
    return followingAmong(viewer, List.of(profileId)).map(set -> set.contains(profileId));
  }

  /** Which of {@code ids} the viewer follows: from their cached followee set, the database only beyond its cap. */
  public Future<Set<Long>> followingAmong(Viewer viewer, Collection<Long> ids) {
    if (viewer.isAnonymous() || ids.isEmpty()) return Future.succeededFuture(Set.of());
    return followeeSet(viewer).compose(set -> {
      Set<Long> found = set == null ? null : set.among(ids);
      return found != null ? Future.succeededFuture(found) : repository.followingAmong(viewer, ids);
    });
  }

  /** The viewer's cached followee set; null where the cache is not used (requests that write, cache off). */
  private Future<surge.cache.IdSet> followeeSet(Viewer viewer) {
    if (viewer.isAnonymous()) return Future.succeededFuture();
    long user = viewer.user();
    return caches.viewerSet(viewer, Caches.followeesKey(user), () -> repository.followeesUpTo(user, FOLLOWEES_CACHED));
  }

  public Future<Map<Long, Profile>> byIds(Collection<Long> ids, Viewer viewer) {
    return repository.byIds(ids, viewer);
  }

  /** Everyone the viewer follows (the feed): the cached set when it is complete. */
  public Future<Set<Long>> followees(Viewer viewer) {
    return followeeSet(viewer).compose(set -> set != null && set.complete()
        ? Future.succeededFuture(set.ids()) : repository.followees(viewer));
  }

  /** Id of the user with this name, or null (filters by author and by favoriting user). */
  public Future<Long> idOf(String username, Viewer viewer) {
    return lookup(username, viewer).map(p -> p.map(Profile::id).orElse(null));
  }

  /** A user's profile by id through the cache (article authors); empty when there is none. */
  public Future<Optional<Profile>> byId(long id, Viewer viewer, boolean strict) {
    if (viewer.writing()) return repository.byIds(List.of(id), viewer).map(found -> Optional.ofNullable(found.get(id)));
    return cachedById(id, strict).map(json -> Optional.ofNullable(json).map(ProfilesService::profile));
  }

  /**
   * A profile as the {@code profile} cache holds it, the instance every reader shares (never to be changed); null
   * when there is no such user. Callers that build on it check {@link #stillCached} before reusing what they built.
   */
  public Future<JsonObject> cachedById(long id, boolean strict) {
    return caches.profiles().get("id:" + id, strict,
        () -> repository.byIds(List.of(id), LOADER).map(found -> found.containsKey(id) ? json(found.get(id)) : null));
  }

  /** {@link #cachedById} for many users: one batched lookup (L2, then the database) for those L1 lacks. */
  public Future<Map<Long, JsonObject>> cachedByIds(Collection<Long> ids) {
    List<String> keys = ids.stream().distinct().map(id -> "id:" + id).toList();
    return caches.profiles().getAll(keys, missing -> repository.byIds(
            missing.stream().map(key -> Long.parseLong(key.substring(3))).toList(), LOADER)
        .map(found -> {
          Map<String, JsonObject> out = new java.util.HashMap<>();
          found.forEach((id, profile) -> out.put("id:" + id, json(profile)));
          return out;
        }))
        .map(found -> {
          Map<Long, JsonObject> out = new java.util.HashMap<>();
          found.forEach((key, json) -> out.put(Long.parseLong(key.substring(3)), json));
          return out;
        });
  }

  /** The {@code profile} cache key of a user id (for {@link #stillCached}, computed once by callers that check often). */
  public static String cacheKey(long id) {
    return "id:" + id;
  }

  /** Whether {@code cached} is still what this node's L1 holds under {@code key} ({@link #cacheKey}): nothing changed it. */
  public boolean stillCached(String key, JsonObject cached) {
    return cached != null && caches.profiles().peek(key) == cached;
  }

  /** The profile in a {@link #cachedById} value. */
  public static Profile fromCached(JsonObject cached) {
    return profile(cached);
  }

  private Future<Optional<Profile>> lookup(String username, Viewer viewer) {
    // No stored name contains NUL, and PostgreSQL would reject it as a parameter.
    if (username.indexOf('\u0000') >= 0) return Future.succeededFuture(Optional.empty());
    if (viewer.writing()) return repository.byUsername(username, viewer);
    return caches.strict(viewer).compose(strict -> caches.profiles().get("name:" + username, strict,
            () -> repository.byUsername(username, LOADER).map(found -> found.map(ProfilesService::json).orElse(null))))
        .map(json -> Optional.ofNullable(json).map(ProfilesService::profile));
  }

  static JsonObject json(Profile p) {
    return new JsonObject().put("id", p.id()).put("username", p.username()).put("bio", p.bio()).put("image", p.image());
  }

  static Profile profile(JsonObject json) {
    return new Profile(json.getLong("id"), json.getString("username"), json.getString("bio"), json.getString("image"));
  }

  /** A profile as one viewer sees it. */
  public record ViewedProfile(Profile profile, boolean following) {}
}
