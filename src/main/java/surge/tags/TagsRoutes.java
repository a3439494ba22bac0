package surge.tags;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import surge.http.Respond;

/** {@code GET /tags}: every tag in use, most used first (ties alphabetical). */
public final class TagsRoutes {
  private static final String TAGS =
      "SELECT tag FROM articles, unnest(tags) AS tag GROUP BY tag ORDER BY count(*) DESC, tag";
  private final Pool pool;

  public TagsRoutes(Pool pool) {
    this.pool = pool;
  }

  public void mount(Router api) {
    api.get("/tags").handler(Respond.ok(this::list));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    return pool.preparedQuery(TAGS).execute().map(rows -> {
      JsonArray tags = new JsonArray();
      for (Row row : rows) tags.add(row.getString(0));
      return new JsonObject().put("tags", tags);
    });
  }
}
