package surge.articles;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import surge.articles.ArticlesRepository.Viewed;
import surge.cache.Caches;
import surge.db.Shards;
import surge.db.Viewer;
import surge.http.ApiError;
import surge.http.EncodedJson;
import surge.profiles.ProfilesService;

/**
 * Articles: create, read, list, feed, update, delete, favorite.
 *
 * <p>Caching (see {@link Caches}): reading requests take an article from the {@code article} cache
 * (its author from the {@code profile} cache) and read only the viewer's {@code favorited} and
 * {@code following} per request; global, by-tag and by-author list pages come from the {@code list} cache, whole
 * for anonymous readers, with the viewer's flags laid over a copy for signed-in ones. Requests that write, and every read with {@code cache.enabled=false}, read an
 * article, its author and the viewer's flags in one statement. Every write invalidates before it answers.
 */
public final class ArticlesService {
  /** Cache loads read primaries, so a load that starts after a write commits sees it. */
  private static final Viewer LOADER = Viewer.of(null, true);
  /** Shared list pages load as an anonymous reader reads (replicas allowed): anonymous readers get them unchanged. */
  private static final Viewer ANONYMOUS = Viewer.of(null, false);
  private final ArticlesRepository repository;
  private final ProfilesService profiles;
  private final Caches caches;

  public ArticlesService(Shards shards, ProfilesService profiles, Caches caches) {
    this.repository = new ArticlesRepository(shards);
    this.profiles = profiles;
    this.caches = caches;
  }

  /** The article a slug names, as the viewer sees it; 404 {@code article} when there is none. */
  public Future<Article> find(String slug, Viewer viewer) {
    return read(slug, viewer).map(Viewed::article);
  }

  /**
   * The article with what came along with it. Through the cache for reading requests; otherwise
   * (a request that writes, or {@code cache.enabled=false}) one statement reads it with its author
   * and the viewer's flags: splitting the read only pays when the parts are cached apart. It reads
   * where the viewer may read (a replica for anonymous viewers): cache loads read primaries only so
   * that no stale value is kept, and nothing is kept here.
   */
  private Future<Viewed> read(String slug, Viewer viewer) {
    var id = Slugs.idOf(slug);
    if (id.isEmpty()) return Future.failedFuture(ApiError.notFound("article"));
    Future<Optional<Viewed>> read = viewer.writing() || !caches.enabled()
        ? repository.viewed(id.getAsLong(), viewer)
        : cached(id.getAsLong(), viewer).map(found -> found.map(article -> new Viewed(article, null)));
    return read.map(found -> found
        .filter(viewed -> viewed.article().slug().equals(slug)) // an old title's slug no longer names it
        .orElseThrow(() -> ApiError.notFound("article")));
  }

  /** The article through the cache: the shared part cached, the author's profile cached, the viewer's flag read now. */
  private Future<Optional<Article>> cached(long id, Viewer viewer) {
    Future<Boolean> favorited = repository.favorited(id, viewer); // meanwhile: it needs nothing from the cache
    return caches.strict(viewer).compose(strict -> caches.articles().get(Long.toString(id), strict,
            () -> repository.byId(id, LOADER).map(found -> found.map(Article::core).orElse(null)))
        .compose(core -> {
          if (core == null) return Future.succeededFuture(Optional.<Article>empty());
          Future<Optional<surge.profiles.Profile>> author = profiles.byId(Article.authorIdOf(core), viewer, strict);
          return Future.all(author, favorited).map(done -> author.result()
              .map(profile -> Article.fromCore(core, profile, favorited.result())));
        }));
  }

  public Future<JsonObject> get(String slug, Viewer viewer) {
    return read(slug, viewer).compose(viewed -> single(viewed, viewer));
  }

  public Future<JsonObject> create(Viewer author, ArticleInput input) {
    return repository.insert(author, input.title(), input.description(), input.body(), input.tags())
        .compose(id -> caches.articleChanged(null, author).map(id))
        .compose(id -> repository.viewed(id, author))
        .compose(article -> single(article.orElseThrow(() -> ApiError.notFound("article")), author));
  }

  public Future<JsonObject> update(String slug, Viewer user, ArticleInput change) {
    return owned(slug, user)
        .compose(article -> repository.update(article.id(), user, change.title(), change.description(), change.body(), change.tags())
            .compose(done -> caches.articleChanged(article.id(), user))
            .compose(done -> repository.viewed(article.id(), user)))
        .compose(article -> single(article.orElseThrow(() -> ApiError.notFound("article")), user));
  }

  public Future<Void> delete(String slug, Viewer user) {
    return owned(slug, user).compose(article -> repository.delete(article.id(), user)
        .compose(done -> caches.articleChanged(article.id(), user)));
  }

  public Future<JsonObject> favorite(String slug, Viewer user, boolean on) {
    return find(slug, user)
        .compose(article -> (on ? repository.favorite(article.id(), user) : repository.unfavorite(article.id(), user))
            .compose(done -> caches.articleChanged(article.id(), user))
            .compose(done -> repository.viewed(article.id(), user)))
        .compose(article -> single(article.orElseThrow(() -> ApiError.notFound("article")), user));
  }

  /**
   * Global list filtered by tag, author and favoriting user; unknown names give an empty page.
   *
   * <p>Global, by-tag and by-author pages come from the {@code list} cache for every reader: anonymous readers get
   * the cached page itself; a signed-in reader gets it with their own {@code favorited} and {@code following} laid
   * over a copy (two small indexed lookups, never a change to the shared page). A user who wrote within the last
   * seconds ({@link Caches#strict}) reads the shards instead, so their own write is in the page at once.
   */
  public Future<JsonObject> list(String tag, String author, String favoritedBy, Viewer viewer, int limit, int offset) {
    if (viewer.writing() || favoritedBy != null) return filtered(tag, author, favoritedBy, viewer, limit, offset).map(Listed::json);
    if (viewer.isAnonymous()) return shared(tag, author, limit, offset).map(cached -> EncodedJson.shared(pageOf(cached)));
    return caches.strict(viewer).compose(strict -> strict
        ? filtered(tag, author, null, viewer, limit, offset).map(Listed::json)
        : shared(tag, author, limit, offset).compose(cached -> overlay(cached, viewer)));
  }

  /**
   * The page every reader shares, as cached: {@code {"page": <the anonymous response>, "authors": [author id per
   * article]}}. List loads may read replicas, as anonymous reads do: the bound of a cached page includes replica lag.
   */
  private Future<JsonObject> shared(String tag, String author, int limit, int offset) {
    return caches.lists().get(listKey(tag, author, limit, offset), false,
        () -> filtered(tag, author, null, ANONYMOUS, limit, offset).map(Listed::cached));
  }

  private static JsonObject pageOf(JsonObject cached) {
    return cached.getJsonObject("page");
  }

  /** The shared page as {@code viewer} sees it: a copy with their flags; the cached page is never changed. */
  private Future<JsonObject> overlay(JsonObject cached, Viewer viewer) {
    JsonObject page = pageOf(cached);
    JsonArray articles = page.getJsonArray("articles");
    JsonArray authors = cached.getJsonArray("authors");
    if (articles.isEmpty()) return Future.succeededFuture(page);
    List<Long> ids = new java.util.ArrayList<>(articles.size());
    for (int i = 0; i < articles.size(); i++) ids.add(Slugs.idOf(articles.getJsonObject(i).getString("slug")).orElseThrow());
    Set<Long> authorIds = new java.util.HashSet<>();
    for (int i = 0; i < authors.size(); i++) authorIds.add(authors.getLong(i));
    Future<Set<Long>> favorited = repository.favoritedAmong(viewer, ids);
    Future<Set<Long>> following = profiles.followingAmong(viewer, authorIds);
    return Future.all(favorited, following).map(done -> {
      JsonArray items = new JsonArray(new java.util.ArrayList<>(articles.size()));
      for (int i = 0; i < articles.size(); i++) {
        JsonObject article = articles.getJsonObject(i);
        JsonObject by = new JsonObject(new java.util.LinkedHashMap<>(article.getJsonObject("author").getMap()))
            .put("following", following.result().contains(authors.getLong(i)));
        items.add(new JsonObject(new java.util.LinkedHashMap<>(article.getMap()))
            .put("favorited", favorited.result().contains(ids.get(i))).put("author", by));
      }
      return new JsonObject().put("articles", items).put("articlesCount", page.getValue("articlesCount"));
    });
  }

  /** A page as built from the database, with the author of each article (by position) for the viewer overlay. */
  private record Listed(JsonObject json, List<Long> authors) {
    static Listed empty() {
      return new Listed(emptyPage(), List.of());
    }

    JsonObject cached() {
      return new JsonObject().put("page", json).put("authors", new JsonArray(new java.util.ArrayList<Object>(authors)));
    }
  }

  /**
   * The list-cache key of an anonymous page. Author pages are as safe to cache as global ones: every
   * write that can change one (an article written, changed, deleted or (un)favorited; a rename or
   * profile change) moves the generation, and a name nobody bears yet pages the same as a new user
   * who has no articles. The author name is length-prefixed, so no tag or name can make two filters
   * share a key, and keys without an author keep their old shape.
   */
  private String listKey(String tag, String author, int limit, int offset) {
    // "articles2": the cached value is the page with its authors (see shared), not the bare page of before
    return caches.listGeneration() + ":articles2:" + limit + ":" + offset + ":"
        + (author == null ? "" : "a" + author.length() + "=" + author + ":")
        + (tag == null ? "-" : "t=" + tag);
  }

  private Future<Listed> filtered(String tag, String author, String favoritedBy, Viewer viewer, int limit, int offset) {
    if (author == null && favoritedBy == null) return page(new ArticleFilter(tag, null, null, null), viewer, limit, offset);
    Future<Long> authorId = author == null ? Future.succeededFuture() : profiles.idOf(author, viewer);
    Future<Long> favoriterId = favoritedBy == null ? Future.succeededFuture() : profiles.idOf(favoritedBy, viewer);
    return Future.all(authorId, favoriterId).compose(ids -> {
      boolean unknownName = (author != null && authorId.result() == null)
          || (favoritedBy != null && favoriterId.result() == null);
      if (unknownName) return Future.succeededFuture(Listed.empty());
      return page(new ArticleFilter(tag, authorId.result(), favoriterId.result(), null), viewer, limit, offset);
    });
  }

  /** Articles by the authors the viewer follows, newest first. */
  public Future<JsonObject> feed(Viewer viewer, int limit, int offset) {
    return profiles.followees(viewer).compose(followees -> page(ArticleFilter.feed(followees), viewer, limit, offset))
        .map(Listed::json);
  }

  private Future<Listed> page(ArticleFilter filter, Viewer viewer, int limit, int offset) {
    if (filter.matchesNothing()) return Future.succeededFuture(Listed.empty());
    return repository.list(filter, viewer, limit, offset).compose(page -> {
      Set<Long> authors = page.articles().stream().map(a -> a.author().id()).collect(Collectors.toSet());
      return profiles.followingAmong(viewer, authors).map(following -> {
        JsonArray items = new JsonArray();
        List<Long> byArticle = new java.util.ArrayList<>();
        for (Article a : page.articles()) {
          items.add(a.toJson(following.contains(a.author().id())));
          byArticle.add(a.author().id());
        }
        return new Listed(new JsonObject().put("articles", items).put("articlesCount", page.total()), byArticle);
      });
    });
  }

  private Future<Article> owned(String slug, Viewer user) {
    return find(slug, user).map(article -> {
      if (article.author().id() != user.user()) throw ApiError.forbidden("article");
      return article;
    });
  }

  /** The one-article response; the follow flag is read from the viewer's shard unless it came with the article. */
  private Future<JsonObject> single(Viewed viewed, Viewer viewer) {
    Article article = viewed.article();
    Future<Boolean> following = viewed.following() != null ? Future.succeededFuture(viewed.following())
        : profiles.isFollowing(viewer, article.author().id());
    return following.map(follows -> new JsonObject().put("article", article.toJson(follows)));
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
