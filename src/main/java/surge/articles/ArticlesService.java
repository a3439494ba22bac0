package surge.articles;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import surge.db.Shards;
import surge.db.Viewer;
import surge.http.ApiError;
import surge.profiles.ProfilesService;

/** Articles: create, read, list, feed, update, delete, favorite. */
public final class ArticlesService {
  private final ArticlesRepository repository;
  private final ProfilesService profiles;

  public ArticlesService(Shards shards, ProfilesService profiles) {
    this.repository = new ArticlesRepository(shards);
    this.profiles = profiles;
  }

  /** The article a slug names, as the viewer sees it; 404 {@code article} when there is none. */
  public Future<Article> find(String slug, Viewer viewer) {
    var id = Slugs.idOf(slug);
    if (id.isEmpty()) return Future.failedFuture(ApiError.notFound("article"));
    return repository.byId(id.getAsLong(), viewer).map(found -> found
        .filter(article -> article.slug().equals(slug)) // an old title's slug no longer names it
        .orElseThrow(() -> ApiError.notFound("article")));
  }

  public Future<JsonObject> get(String slug, Viewer viewer) {
    return find(slug, viewer).compose(article -> single(article, viewer));
  }

  public Future<JsonObject> create(Viewer author, ArticleInput input) {
    return repository.insert(author, input.title(), input.description(), input.body(), input.tags())
        .compose(id -> repository.byId(id, author))
        .compose(article -> single(article.orElseThrow(() -> ApiError.notFound("article")), author));
  }

  public Future<JsonObject> update(String slug, Viewer user, ArticleInput change) {
    return owned(slug, user)
        .compose(article -> repository.update(article.id(), user, change.title(), change.description(), change.body(), change.tags())
            .compose(done -> repository.byId(article.id(), user)))
        .compose(article -> single(article.orElseThrow(() -> ApiError.notFound("article")), user));
  }

  public Future<Void> delete(String slug, Viewer user) {
    return owned(slug, user).compose(article -> repository.delete(article.id(), user));
  }

  public Future<JsonObject> favorite(String slug, Viewer user, boolean on) {
    return find(slug, user)
        .compose(article -> (on ? repository.favorite(article.id(), user) : repository.unfavorite(article.id(), user))
            .compose(done -> repository.byId(article.id(), user)))
        .compose(article -> single(article.orElseThrow(() -> ApiError.notFound("article")), user));
  }

  /** Global list filtered by tag, author and favoriting user; unknown names give an empty page. */
  public Future<JsonObject> list(String tag, String author, String favoritedBy, Viewer viewer, int limit, int offset) {
    Future<Long> authorId = author == null ? Future.succeededFuture() : profiles.idOf(author, viewer);
    Future<Long> favoriterId = favoritedBy == null ? Future.succeededFuture() : profiles.idOf(favoritedBy, viewer);
    return Future.all(authorId, favoriterId).compose(ids -> {
      boolean unknownName = (author != null && authorId.result() == null)
          || (favoritedBy != null && favoriterId.result() == null);
      if (unknownName) return Future.succeededFuture(emptyPage());
      return page(new ArticleFilter(tag, authorId.result(), favoriterId.result(), null), viewer, limit, offset);
    });
  }

  /** Articles by the authors the viewer follows, newest first. */
  public Future<JsonObject> feed(Viewer viewer, int limit, int offset) {
    return profiles.followees(viewer).compose(followees -> page(ArticleFilter.feed(followees), viewer, limit, offset));
  }

  private Future<JsonObject> page(ArticleFilter filter, Viewer viewer, int limit, int offset) {
    if (filter.matchesNothing()) return Future.succeededFuture(emptyPage());
    return repository.list(filter, viewer, limit, offset).compose(page -> {
      Set<Long> authors = page.articles().stream().map(a -> a.author().id()).collect(Collectors.toSet());
      return profiles.followingAmong(viewer, authors).map(following -> {
        JsonArray items = new JsonArray();
        for (Article a : page.articles()) items.add(a.toJson(following.contains(a.author().id())));
        return new JsonObject().put("articles", items).put("articlesCount", page.total());
      });
    });
  }

  private Future<Article> owned(String slug, Viewer user) {
    return find(slug, user).map(article -> {
      if (article.author().id() != user.user()) throw ApiError.forbidden("article");
      return article;
    });
  }

  private Future<JsonObject> single(Article article, Viewer viewer) {
    return profiles.isFollowing(viewer, article.author().id())
        .map(following -> new JsonObject().put("article", article.toJson(following)));
  }

  private static JsonObject emptyPage() {
    return new JsonObject().put("articles", new JsonArray()).put("articlesCount", 0);
  }

  /**
   * A checked create or update: on update, null fields keep the stored value. Tags are kept
   * de-duplicated and sorted whoever builds the input (routes, demo data, seeders).
   */
  public record ArticleInput(String title, String description, String body, List<String> tags) {
    public ArticleInput {
      tags = tags == null ? null : List.copyOf(new TreeSet<>(tags));
    }
  }
}
