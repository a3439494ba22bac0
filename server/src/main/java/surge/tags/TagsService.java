package surge.tags;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import surge.cache.Caches;
import surge.core.Viewer;
import surge.db.PhysicalShard;
import surge.db.Shards;
import surge.web.EncodedJson;

/** Every tag in use, most used first (ties alphabetical), counted over all shards; read by REST and GraphQL. */
public final class TagsService {
  /** Each tag's articles from the counts the shard keeps (migration V6: scopes {@code t:<tag>}), not from its articles. */
  private static final String TAGS = "SELECT substr(scope, 3), sum(n)::bigint FROM article_counts WHERE scope <> ''"
      + " GROUP BY scope HAVING sum(n) > 0";
  /** Cache loads read primaries: a load that starts after a write moved the scope has the write in it. */
  private static final Viewer LOADER = Viewer.of(null, true);
  private final Shards shards;
  private final Caches caches;

  public TagsService(Shards shards, Caches caches) {
    this.shards = shards;
    this.caches = caches;
  }

  /**
   * {@code {"tags": [...]}}. The tag list is the same for every viewer: it comes from the {@code list} cache under the
   * tag-list scope, which only a new, deleted or re-tagged article moves, for signed-in readers too. Only a reader whose
   * latest write has not reached this node yet ({@link Caches#strict}) reads the shards themselves, from where their
   * own write is visible, so their new article's tags are there at once.
   */
  public Future<JsonObject> list(Viewer viewer) {
    if (!caches.enabled()) return load(viewer);
    return caches.strict(viewer).compose(strict -> strict ? load(viewer)
        : caches.listKey("tags", List.of(Caches.TAG_LIST), false)
            .compose(key -> caches.lists().get(key, false, () -> load(LOADER)))
            .map(EncodedJson::shared));
  }

  private Future<JsonObject> load(Viewer viewer) {
    List<Future<RowSet<Row>>> parts = new ArrayList<>();
    for (PhysicalShard shard : shards.all()) {
      parts.add(shard.read(viewer, db -> db.preparedQuery(TAGS).execute()));
    }
    return Future.all(parts).map(done -> {
      Map<String, Long> counts = new HashMap<>();
      for (Future<RowSet<Row>> part : parts) for (Row row : part.result()) counts.merge(row.getString(0), row.getLong(1), Long::sum);
      JsonArray tags = new JsonArray();
      counts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .forEach(e -> tags.add(e.getKey()));
      return new JsonObject().put("tags", tags);
    });
  }
}
