package surge.profiles;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import surge.cache.Caches;
import surge.db.Viewer;
import surge.http.ApiError;

/**
 * Profile reads and follow/unfollow. Other features call it for authors' profiles and follow flags.
 * Reads of reading requests go through the {@code profile} cache ({@code name:<username>},
 * {@code id:<userId>}); {@code following} is never cached, it is read per request.
 */
public final class ProfilesService {
  /** Cache loads read primaries, so a load that starts after a write commits sees it. */
  private static final Viewer LOADER = Viewer.of(null, true);
  private final ProfilesRepository repository;
  private final Caches caches;

  public ProfilesService(ProfilesRepository repository, Caches caches) {
    this.repository = repository;
    this.caches = caches;
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
        .map(done -> new ViewedProfile(profile, true)));
  }

  public Future<ViewedProfile> unfollow(Viewer viewer, String username) {
    return find(username, viewer).compose(profile -> repository.unfollow(viewer, profile.id())
        .map(done -> new ViewedProfile(profile, false)));
  }

  public Future<Boolean> isFollowing(Viewer viewer, long profileId) {
    return repository.followingAmong(viewer, List.of(profileId)).map(set -> set.contains(profileId));
  }

  public Future<Set<Long>> followingAmong(Viewer viewer, Collection<Long> ids) {
    return repository.followingAmong(viewer, ids);
  }

  public Future<Map<Long, Profile>> byIds(Collection<Long> ids, Viewer viewer) {
    return repository.byIds(ids, viewer);
  }

  public Future<Set<Long>> followees(Viewer viewer) {
    return repository.followees(viewer);
  }

  /** Id of the user with this name, or null (filters by author and by favoriting user). */
  public Future<Long> idOf(String username, Viewer viewer) {
    return lookup(username, viewer).map(p -> p.map(Profile::id).orElse(null));
  }

  /** A user's profile by id through the cache (article authors); empty when there is none. */
  public Future<Optional<Profile>> byId(long id, Viewer viewer, boolean strict) {
    if (viewer.writing()) return repository.byIds(List.of(id), viewer).map(found -> Optional.ofNullable(found.get(id)));
    return caches.profiles().get("id:" + id, strict,
            () -> repository.byIds(List.of(id), LOADER).map(found -> found.containsKey(id) ? json(found.get(id)) : null))
        .map(json -> Optional.ofNullable(json).map(ProfilesService::profile));
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
