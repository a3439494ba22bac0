package surge.graphql;

import graphql.schema.DataFetchingEnvironment;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;
import surge.articles.Slugs;
import surge.comments.CommentsService;
import surge.core.Viewer;

/**
 * The request's DataLoaders: a field asked of every item of a page is collected while graphql-java resolves that
 * level and loaded in one batch, one query per physical shard, whatever the page size. A page's articles, authors and
 * viewer flags already come batched from {@code ArticlesService} (one lookup per cache, one query per shard for what
 * the caches lack); what a page adds here is the comment counts. New per request: a loader caches what it loaded,
 * and that must never reach another viewer.
 */
final class Loaders {
  static final String COMMENTS_COUNT = "commentsCount";

  private Loaders() {}

  static DataLoaderRegistry forRequest(CommentsService comments, Viewer viewer) {
    DataLoader<Long, Long> counts = DataLoaderFactory.newMappedDataLoader((Set<Long> ids) ->
        comments.counts(ids, viewer).map(found -> {
          Map<Long, Long> all = new HashMap<>(found);
          for (Long id : ids) all.putIfAbsent(id, 0L);
          return all;
        }).toCompletionStage());
    return DataLoaderRegistry.newRegistry().register(COMMENTS_COUNT, counts).build();
  }

  /** {@code Article.commentsCount}: the article's id comes from its slug (the slug ends in the id). */
  static CompletableFuture<Long> commentsCount(DataFetchingEnvironment env) {
    JsonObject article = env.getSource();
    var id = Slugs.idOf(article.getString("slug"));
    if (id.isEmpty()) return CompletableFuture.completedFuture(0L);
    return env.<Long, Long>getDataLoader(COMMENTS_COUNT).load(id.getAsLong());
  }
}
