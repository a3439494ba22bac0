package surge.profiles;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import surge.db.Viewer;
import surge.http.ApiError;

/** Profile reads and follow/unfollow. Other features call it for authors' profiles and follow flags. */
public final class ProfilesService {
  private final ProfilesRepository repository;

  public ProfilesService(ProfilesRepository repository) {
    this.repository = repository;
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

  private Future<Optional<Profile>> lookup(String username, Viewer viewer) {
    // No stored name contains NUL, and PostgreSQL would reject it as a parameter.
    if (username.indexOf('\u0000') >= 0) return Future.succeededFuture(Optional.empty());
    return repository.byUsername(username, viewer);
  }

  /** A profile as one viewer sees it. */
  public record ViewedProfile(Profile profile, boolean following) {}
}
