package surge.comments;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import surge.articles.Article;
import surge.articles.ArticlesService;
import surge.core.ApiError;
import surge.core.Viewer;
import surge.db.Shards;
import surge.profiles.Profile;
import surge.profiles.ProfilesService;

/** Comments on an article. Authors' profiles come in one batched read per list. */
public final class CommentsService {
  private final CommentsRepository repository;
  private final ArticlesService articles;
  private final ProfilesService profiles;

  public CommentsService(Shards shards, ArticlesService articles, ProfilesService profiles) {
    this.repository = new CommentsRepository(shards);
    this.articles = articles;
    this.profiles = profiles;
  }

  public Future<JsonObject> add(String slug, Viewer author, String body) {
    return articles.find(slug, author)
        .compose(article -> repository.insert(article.id(), author, body))
        .compose(comment -> render(List.of(comment), author))
        .map(list -> new JsonObject().put("comment", list.getJsonObject(0)));
  }

  public Future<JsonObject> list(String slug, Viewer viewer) {
    return articles.find(slug, viewer)
        .compose(article -> repository.ofArticle(article.id(), viewer))
        .compose(comments -> render(comments, viewer))
        .map(list -> new JsonObject().put("comments", list));
  }

  /** How many comments each article has (0 for none), in one query per shard however many articles are asked for. */
  public Future<Map<Long, Long>> counts(java.util.Collection<Long> articleIds, Viewer viewer) {
    if (articleIds.isEmpty()) return Future.succeededFuture(Map.of());
    return repository.counts(articleIds, viewer);
  }

  /** 404 {@code article}, then 404 {@code comment}, then 403 when the comment is someone else's. */
  public Future<Void> delete(String slug, String commentId, Viewer user) {
    return articles.find(slug, user).compose(article -> {
      long id = parseId(commentId);
      return repository.authorOf(id, article.id(), user).compose(author -> {
        if (author.isEmpty()) return Future.failedFuture(ApiError.notFound("comment"));
        if (author.get() != user.user()) return Future.failedFuture(ApiError.forbidden("comment"));
        return repository.delete(id, article.id(), user);
      });
    });
  }

  private Future<JsonArray> render(List<CommentsRepository.Comment> comments, Viewer viewer) {
    Set<Long> authorIds = comments.stream().map(CommentsRepository.Comment::authorId).collect(Collectors.toSet());
    Future<Map<Long, Profile>> authors = profiles.byIds(authorIds, viewer);
    Future<Set<Long>> following = profiles.followingAmong(viewer, authorIds);
    return Future.all(authors, following).map(done -> {
      JsonArray out = new JsonArray();
      for (var c : comments) {
        Profile author = authors.result().get(c.authorId());
        if (author == null) continue; // author account gone; the comment is not shown without one
        out.add(new JsonObject()
            .put("id", c.id())
            .put("createdAt", Article.time(c.createdAt()))
            .put("updatedAt", Article.time(c.updatedAt()))
            .put("body", c.body())
            .put("author", author.toJson(following.result().contains(c.authorId()))));
      }
      return out;
    });
  }

  private static long parseId(String raw) {
    try {
      long id = Long.parseLong(raw);
      if (id > 0) return id;
    } catch (NumberFormatException ignored) {
      // falls through to 404: a malformed id names no comment
    }
    throw ApiError.notFound("comment");
  }
}
