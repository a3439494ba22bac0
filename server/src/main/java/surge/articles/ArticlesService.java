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
import surge.core.ApiError;
import surge.core.Viewer;
import surge.db.Shards;
import surge.profiles.ProfilesService;
import surge.web.EncodedJson;
import surge.timeline.TimelineRepository;
import surge.timeline.Timelines;

/**
 * Articles: create, read, list, feed, update, delete, favorite.
 *
 * <p>Caching (see {@link Caches}): reading requests take an article from the {@code article} cache (its author from
 * the {@code profile} cache) and the viewer's {@code favorited} and {@code following} from their own sets in the
 * {@code viewer} cache. Global, by-tag and by-author list pages are cached as membership (article ids and a count in
 * the {@code list} cache) and assembled from the entity caches; the assembled page is kept on this node while each
 * of its parts is still the cached instance, is served whole to anonymous readers, and gets the viewer's flags laid
 * over a copy for signed-in ones. So a favorite or an edit changes one article entry, and only a new, deleted or
 * re-tagged article moves the pages it can appear on. Requests that write, and every read with
 * {@code cache.enabled=false}, read an article, its author and the viewer's flags in one statement. Every write
 * invalidates before it answers.
 */
public final class ArticlesService {
  /** Cache loads read primaries, so a load that starts after a write commits sees it. */
  private static final Viewer LOADER = Viewer.of(null, true);
  /** Shared pages are what an anonymous reader sees (no flags); names resolve through the profile cache. */
  private static final Viewer ANONYMOUS = Viewer.of(null, false);
  /** A favorite set larger than this per shard is not cached whole; members beyond it are asked of the database. */
  static final int FAVORITES_CACHED = 5_000;

  private final ArticlesRepository repository;
  private final ProfilesService profiles;
  private final Caches caches;
  /** The feed's timelines; null with {@code timeline.enabled} off. */
  private final TimelineFeed timelineFeed;

  public ArticlesService(Shards shards, ProfilesService profiles, Caches caches, Timelines timelines,
                         TimelineRepository timelineRepository) {
    this.repository = new ArticlesRepository(shards);
    this.profiles = profiles;
    this.caches = caches;
    this.timelineFeed = timelines == null ? null : new TimelineFeed(timelines, timelineRepository, profiles, this::cores,
        base -> caches.listKey(base, List.of(Caches.DELETIONS), false), caches.scopedMemoTtlMs());
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
    Future<Boolean> favorited = favoritedAmong(viewer, List.of(id)).map(found -> found.contains(id));
    return caches.strict(viewer).compose(strict -> core(id, strict)
        .compose(core -> {
          if (core == null) return Future.succeededFuture(Optional.<Article>empty());
          Future<Optional<surge.profiles.Profile>> author = profiles.byId(Article.authorIdOf(core), viewer, strict);
          return Future.all(author, favorited).map(done -> author.result()
              .map(profile -> Article.fromCore(core, profile, favorited.result())));
        }));
  }

  /** The article's cached core (the instance every reader shares); null when there is none. */
  private Future<JsonObject> core(long id, boolean strict) {
    return caches.articles().get(Long.toString(id), strict,
        () -> repository.byId(id, LOADER).map(found -> found.map(Article::core).orElse(null)));
  }

  /** Which of {@code ids} the viewer favorited: from their cached favorite set, the database only beyond its cap. */
  private Future<Set<Long>> favoritedAmong(Viewer viewer, java.util.Collection<Long> ids) {
    if (viewer.isAnonymous() || ids.isEmpty()) return Future.succeededFuture(Set.of());
    long user = viewer.user();
    return caches.viewerSet(viewer, Caches.favoritesKey(user), () -> repository.favoritesUpTo(user, FAVORITES_CACHED))
        .compose(set -> {
          Set<Long> found = set == null ? null : set.among(ids);
          return found != null ? Future.succeededFuture(found) : repository.favoritedAmong(viewer, ids);
        });
  }

  public Future<JsonObject> get(String slug, Viewer viewer) {
    return read(slug, viewer).compose(viewed -> single(viewed, viewer));
  }

  public Future<JsonObject> create(Viewer author, ArticleInput input) {
    return repository.insert(author, input.title(), input.description(), input.body(), input.tags())
        .compose(id -> caches.articleChanged(null, author, membershipScopes(author.user(), input.tags())).map(id))
        .compose(id -> repository.viewed(id, author))
        .compose(article -> single(article.orElseThrow(() -> ApiError.notFound("article")), author));
  }

  public Future<JsonObject> update(String slug, Viewer user, ArticleInput change) {
    return owned(slug, user)
        .compose(article -> repository.update(article.id(), user, change.title(), change.description(), change.body(), change.tags())
            .compose(done -> caches.articleChanged(article.id(), user, retagged(article, change.tags())))
            .compose(done -> repository.viewed(article.id(), user)))
        .compose(article -> single(article.orElseThrow(() -> ApiError.notFound("article")), user));
  }

  /** The list scopes an article is a member of: the global list, the tag list, its author's and its tags' pages. */
  private static List<String> membershipScopes(long authorId, List<String> tags) {
    List<String> scopes = new java.util.ArrayList<>(List.of(Caches.GLOBAL, Caches.TAG_LIST, Caches.authorScope(authorId)));
    for (String tag : tags) scopes.add(Caches.tagScope(tag));
    return scopes;
  }

  /** The scopes an edit moves: none unless the tags changed, then the tag list and each tag gained or lost. */
  static List<String> retagged(Article before, List<String> newTags) {
    if (newTags == null) return List.of();
    Set<String> old = Set.of(before.tags());
    Set<String> now = Set.copyOf(newTags);
    if (old.equals(now)) return List.of();
    List<String> scopes = new java.util.ArrayList<>(List.of(Caches.TAG_LIST));
    for (String tag : old) if (!now.contains(tag)) scopes.add(Caches.tagScope(tag));
    for (String tag : now) if (!old.contains(tag)) scopes.add(Caches.tagScope(tag));
    return scopes;
  }

  /** A deletion also moves {@link Caches#DELETIONS}: a trimmed timeline's count that held the article is recounted. */
  public Future<Void> delete(String slug, Viewer user) {
    return owned(slug, user).compose(article -> {
      List<String> scopes = membershipScopes(user.user(), List.of(article.tags()));
      scopes.add(Caches.DELETIONS);
      return repository.delete(article.id(), user).compose(done -> caches.articleChanged(article.id(), user, scopes));
    });
  }

  public Future<JsonObject> favorite(String slug, Viewer user, boolean on) {
    return find(slug, user)
        .compose(article -> (on ? repository.favorite(article.id(), user) : repository.unfavorite(article.id(), user))
            .compose(done -> caches.favoriteChanged(article.id(), user))
            .compose(done -> repository.viewed(article.id(), user)))
        .compose(article -> single(article.orElseThrow(() -> ApiError.notFound("article")), user));
  }

  /**
   * Global list filtered by tag, author and favoriting user; unknown names give an empty page.
   *
   * <p>Global, by-tag and by-author pages are the shared page ({@link #shared}) for every reader: anonymous readers
   * get it itself; a signed-in reader gets it with their own {@code favorited} and {@code following} laid over a copy,
   * from their cached sets. A reader whose latest write has not reached this node yet ({@link Caches#strict}) reads
   * the shards instead, so their own write is in the page at once.
   */
  public Future<JsonObject> list(String tag, String author, String favoritedBy, Viewer viewer, int limit, int offset) {
    return listPage(tag, author, favoritedBy, viewer, limit, offset).map(ListPage::toJson);
  }

  /** {@link #list} as the route renders it: the shared page and the viewer's flags, laid over it when encoded. */
  public Future<ListPage> listPage(String tag, String author, String favoritedBy, Viewer viewer, int limit, int offset) {
    if (viewer.writing() || favoritedBy != null || !caches.enabled()) {
      return filtered(tag, author, favoritedBy, viewer, limit, offset).map(listed -> ListPage.whole(listed.json()));
    }
    return caches.strict(viewer).compose(strict -> strict
        ? filtered(tag, author, null, viewer, limit, offset).map(listed -> ListPage.whole(listed.json()))
        : shared(tag, author, limit, offset).compose(page -> viewer.isAnonymous()
            ? Future.succeededFuture(ListPage.whole(page.json())) : overlay(page, viewer)));
  }

  /**
   * A page of articles: {@code json} is the whole response when {@code favorited} is null; otherwise it is the shared
   * page (every flag false, never to be changed) and the arrays say, per article in order, which flags are the
   * viewer's: {@code favorited} per article, {@code following} per article's author.
   */
  public record ListPage(JsonObject json, boolean[] favorited, boolean[] following) {
    static ListPage whole(JsonObject json) {
      return new ListPage(json, null, null);
    }

    public boolean overlaid() {
      return favorited != null;
    }

    /** The response as one object: the shared page's copy with the viewer's flags, or the whole page itself. */
    public JsonObject toJson() {
      if (!overlaid()) return json;
      JsonArray articles = json.getJsonArray("articles");
      JsonArray items = new JsonArray(new java.util.ArrayList<>(articles.size()));
      for (int i = 0; i < articles.size(); i++) {
        JsonObject article = articles.getJsonObject(i);
        JsonObject by = new JsonObject(new java.util.LinkedHashMap<>(article.getJsonObject("author").getMap()))
            .put("following", following[i]);
        items.add(new JsonObject(new java.util.LinkedHashMap<>(article.getMap()))
            .put("favorited", favorited[i]).put("author", by));
      }
      return new JsonObject().put("articles", items).put("articlesCount", json.getValue("articlesCount"));
    }
  }

  /** The page every reader shares: membership from the {@code list} cache, articles and authors from theirs. */
  private Future<Assembled> shared(String tag, String author, int limit, int offset) {
    Future<Long> authorId = author == null ? Future.succeededFuture() : profiles.idOf(author, ANONYMOUS);
    return authorId.compose(id -> {
      if (author != null && id == null) return Future.succeededFuture(Assembled.EMPTY);
      List<String> scopes = new java.util.ArrayList<>(2);
      if (id != null) scopes.add(Caches.authorScope(id));
      if (tag != null) scopes.add(Caches.tagScope(tag));
      if (scopes.isEmpty()) scopes.add(Caches.GLOBAL);
      ArticleFilter filter = new ArticleFilter(tag, id, null, null);
      return caches.listKey("articles3:" + limit + ":" + offset, scopes, false)
          .compose(key -> assembled(key, filter, limit, offset));
    });
  }

  /** The assembled page this node keeps for {@code key} while its parts are current, else one built now. */
  private Future<Assembled> assembled(String key, ArticleFilter filter, int limit, int offset) {
    java.util.function.Predicate<Assembled> current = page -> page.current(key, caches, profiles);
    Assembled known = caches.<Assembled>pages().reuse(key, current);
    if (known != null) return Future.succeededFuture(known);
    return caches.lists().get(key, false, () -> membership(filter, limit, offset))
        .compose(this::assemble)
        .map(page -> caches.<Assembled>pages().keep(key, page, current));
  }

  /**
   * A page's membership as the {@code list} cache keeps it: {@code {"ids": [...], "authors": [...], "count": n}}. It
   * is read on the primaries, so a page loaded after a write's generation moved has the write in it.
   */
  private Future<JsonObject> membership(ArticleFilter filter, int limit, int offset) {
    return repository.list(filter, LOADER, limit, offset).map(page -> {
      JsonArray ids = new JsonArray();
      for (Article a : page.articles()) ids.add(a.id());
      return new JsonObject().put("ids", ids).put("count", page.total());
    });
  }

  /**
   * The shared page from its membership: the articles' cores and then their authors from their caches, flags off;
   * whatever L1 lacks comes in one batched lookup per cache (L2, then one query per shard), never one per article.
   */
  private Future<Assembled> assemble(JsonObject members) {
    JsonArray idArray = members.getJsonArray("ids");
    List<String> keys = new java.util.ArrayList<>(idArray.size());
    for (int i = 0; i < idArray.size(); i++) keys.add(Long.toString(idArray.getLong(i)));
    return cores(keys).compose(cores -> {
      Set<Long> authorIds = new java.util.HashSet<>();
      for (JsonObject core : cores.values()) authorIds.add(Article.authorIdOf(core));
      return profiles.cachedByIds(authorIds).map(authors -> Assembled.of(members, keys, cores, authors));
    });
  }

  /** Article cores by id key, through the {@code article} cache in one batch. */
  private Future<java.util.Map<String, JsonObject>> cores(List<String> keys) {
    return caches.articles().getAll(keys, missing -> repository.byIds(missing.stream().map(Long::valueOf).toList(), LOADER)
        .map(found -> {
          java.util.Map<String, JsonObject> out = new java.util.HashMap<>();
          found.forEach((id, article) -> out.put(Long.toString(id), article.core()));
          return out;
        }));
  }

  /**
   * A shared page and what it was built from. It is current while the membership, every article core and every
   * author profile are still the instances this node's L1 holds: any write to one of them replaced or dropped it.
   */
  private record Assembled(JsonObject json, JsonObject members, JsonObject[] cores, JsonObject[] authors,
                           List<Long> ids, List<Long> authorIds, String[] articleKeys, String[] authorKeys) {
    static final Assembled EMPTY = new Assembled(EncodedJson.shared(emptyPage()), null, new JsonObject[0],
        new JsonObject[0], List.of(), List.of(), new String[0], new String[0]);

    static Assembled of(JsonObject members, List<String> keys, java.util.Map<String, JsonObject> coreByKey,
                        java.util.Map<Long, JsonObject> authorById) {
      List<JsonObject> cores = new java.util.ArrayList<>();
      List<JsonObject> authors = new java.util.ArrayList<>();
      List<Long> ids = new java.util.ArrayList<>();
      List<Long> authorIds = new java.util.ArrayList<>();
      JsonArray items = new JsonArray();
      for (String key : keys) {
        JsonObject core = coreByKey.get(key);
        JsonObject author = core == null ? null : authorById.get(Article.authorIdOf(core));
        if (core == null || author == null) continue; // deleted since the membership was read: its move is under way
        Article article = Article.fromCore(core, ProfilesService.fromCached(author), false).listed();
        items.add(article.toJson(false));
        cores.add(core);
        authors.add(author);
        ids.add(article.id());
        authorIds.add(article.author().id());
      }
      JsonObject page = new JsonObject().put("articles", items).put("articlesCount", members.getLong("count"));
      return new Assembled(EncodedJson.shared(page), members, cores.toArray(JsonObject[]::new),
          authors.toArray(JsonObject[]::new), List.copyOf(ids), List.copyOf(authorIds),
          ids.stream().map(String::valueOf).toArray(String[]::new),
          authorIds.stream().map(ProfilesService::cacheKey).toArray(String[]::new));
    }

    boolean current(String key, Caches caches, ProfilesService profiles) {
      if (members == null) return true;
      if (caches.lists().peek(key) != members) return false;
      for (int i = 0; i < cores.length; i++) {
        if (caches.articles().peek(articleKeys[i]) != cores[i]) return false;
        if (!profiles.stillCached(authorKeys[i], authors[i])) return false;
      }
      return true;
    }
  }

  /** The shared page with {@code viewer}'s flags beside it; the shared page is never changed. */
  private Future<ListPage> overlay(Assembled shared, Viewer viewer) {
    if (shared.ids().isEmpty()) return Future.succeededFuture(ListPage.whole(shared.json()));
    Future<Set<Long>> favorited = favoritedAmong(viewer, shared.ids());
    Future<Set<Long>> following = profiles.followingAmong(viewer, new java.util.HashSet<>(shared.authorIds()));
    return Future.all(favorited, following).map(done -> {
      int n = shared.ids().size();
      boolean[] favorites = new boolean[n];
      boolean[] follows = new boolean[n];
      for (int i = 0; i < n; i++) {
        favorites[i] = favorited.result().contains(shared.ids().get(i));
        follows[i] = following.result().contains(shared.authorIds().get(i));
      }
      return new ListPage(shared.json(), favorites, follows);
    });
  }

  /** A page as built from the database for one viewer. */
  private record Listed(JsonObject json) {
    static Listed empty() {
      return new Listed(emptyPage());
    }
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

  /**
   * Articles by the authors the viewer follows, newest first: from the viewer's timeline when it can be trusted
   * ({@link TimelineFeed}), otherwise, and for requests that write, strict readers (their latest write has not reached
   * this node's caches yet) and pages deeper than a timeline holds, the scatter-gather query over the followees' shards.
   */
  public Future<JsonObject> feed(Viewer viewer, int limit, int offset) {
    if (timelineFeed == null) return scatterFeed(viewer, limit, offset);
    if (viewer.writing() || !caches.enabled() || !timelineFeed.covers(limit, offset)) {
      return timelineFeed.fallback(scatterFeed(viewer, limit, offset));
    }
    return caches.strict(viewer).compose(strict -> strict ? Future.succeededFuture((JsonObject) null)
            : profiles.followees(viewer).compose(followees -> timelineFeed.page(viewer, followees, limit, offset,
                ids -> favoritedAmong(viewer, ids))))
        .otherwise((JsonObject) null) // Redis trouble or an unusable timeline: never an error, the query answers
        .compose(page -> page != null ? Future.succeededFuture(page) : timelineFeed.fallback(scatterFeed(viewer, limit, offset)));
  }

  /** The feed as one query per shard that holds followed authors (what timelines fall back to). */
  private Future<JsonObject> scatterFeed(Viewer viewer, int limit, int offset) {
    return profiles.followees(viewer).compose(followees -> page(ArticleFilter.feed(followees), viewer, limit, offset))
        .map(Listed::json);
  }

  private Future<Listed> page(ArticleFilter filter, Viewer viewer, int limit, int offset) {
    if (filter.matchesNothing()) return Future.succeededFuture(Listed.empty());
    return repository.list(filter, viewer, limit, offset).compose(page -> {
      Set<Long> authors = page.articles().stream().map(a -> a.author().id()).collect(Collectors.toSet());
      return profiles.followingAmong(viewer, authors).map(following -> {
        JsonArray items = new JsonArray();
        for (Article a : page.articles()) items.add(a.toJson(following.contains(a.author().id())));
        return new Listed(new JsonObject().put("articles", items).put("articlesCount", page.total()));
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
