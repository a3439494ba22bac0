package surge.stream;

/**
 * Who receives which live event, and how a stream's followed authors change. Pure rules, shared by live
 * delivery and by replay so that both decide alike:
 * <ul>
 *   <li>{@code surge.article.created}: every stream whose user follows the author;</li>
 *   <li>{@code surge.comment.added}: the article's author, unless they wrote the comment;</li>
 *   <li>{@code surge.user.followed}: the followee ("a new follower");</li>
 *   <li>{@code surge.user.followed}/{@code unfollowed} by the stream's own user: not delivered, but they add or
 *       remove the author from the stream's followed set, so later articles are delivered or not.</li>
 * </ul>
 */
final class Audience {
  private Audience() {}

  static boolean receives(StreamEvent event, long user, long[] followees) {
    return switch (event.kind()) {
      case ARTICLE_CREATED -> event.actor() != user && Followees.contains(followees, event.actor());
      case COMMENT_ADDED, USER_FOLLOWED -> event.target() == user && event.actor() != user;
      case USER_UNFOLLOWED -> false;
    };
  }

  /** The followed set of {@code user}'s stream after {@code event}: the same array unless the user (un)followed. */
  static long[] followeesAfter(StreamEvent event, long user, long[] followees) {
    if (event.actor() != user) return followees;
    return switch (event.kind()) {
      case USER_FOLLOWED -> Followees.with(followees, event.target());
      case USER_UNFOLLOWED -> Followees.without(followees, event.target());
      default -> followees;
    };
  }
}
