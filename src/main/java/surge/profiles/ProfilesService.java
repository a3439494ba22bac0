package surge.profiles;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import surge.http.ApiError;

/** Profile reads and follow/unfollow. Other features call it for authors' profiles and follow flags. */
public final class ProfilesService {
  private final ProfilesRepository repository;

  public ProfilesService(ProfilesRepository repository) {
    this.repository = repository;
  }

  public Future<Profile> find(String username) {
    // No stored name contains NUL, and PostgreSQL would reject it as a parameter.
    if (username.indexOf('\u0000') >= 0) return Future.failedFuture(ApiError.notFound("profile"));
    return repository.byUsername(username).map(p -> p.orElseThrow(() -> ApiError.notFound("profile")));
  }

  public Future<ViewedProfile> view(String username, Long viewer) {
    return find(username).compose(profile -> isFollowing(viewer, profile.id())
        .map(following -> new ViewedProfile(profile, following)));
  }

  public Future<ViewedProfile> follow(long viewer, String username) {
    return find(username).compose(profile -> repository.follow(viewer, profile.id())
        .map(done -> new ViewedProfile(profile, true)));
  }

  public Future<ViewedProfile> unfollow(long viewer, String username) {
    return find(username).compose(profile -> repository.unfollow(viewer, profile.id())
        .map(done -> new ViewedProfile(profile, false)));
  }

  public Future<Boolean> isFollowing(Long viewer, long profileId) {
    return repository.followingAmong(viewer, List.of(profileId)).map(set -> set.contains(profileId));
  }

  public Future<Set<Long>> followingAmong(Long viewer, Collection<Long> ids) {
    return repository.followingAmong(viewer, ids);
  }

  public Future<Map<Long, Profile>> byIds(Collection<Long> ids) {
    return repository.byIds(ids);
  }

  public Future<Set<Long>> followees(long viewer) {
    return repository.followees(viewer);
  }

  /** Id of the user with this name, if any (filters by author and by favoriting user). */
  public Future<Long> idOf(String username) {
    if (username.indexOf('\u0000') >= 0) return Future.succeededFuture(null);
    return repository.byUsername(username).map(p -> p.map(Profile::id).orElse(null));
  }

  /** A profile as one viewer sees it. */
  public record ViewedProfile(Profile profile, boolean following) {}
}
