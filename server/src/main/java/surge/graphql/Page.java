package surge.graphql;

import graphql.schema.DataFetchingEnvironment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import surge.core.ApiError;

/**
 * A Relay-style page over the services' newest-first lists: {@code first} items after the item {@code after} names.
 * A cursor is an item's position in the list, encoded opaque ({@code base64url("o:" + position)}), as the services
 * page by offset: a cursor stays valid while the list does not change ahead of it, like REST's {@code offset}.
 * {@code first} was checked before execution ({@link QueryCheck}: required, 1..{@code graphql.maxPageSize}).
 */
record Page(int first, int offset) {
  private static final String PREFIX = "o:";

  static Page of(DataFetchingEnvironment env) {
    int first = env.<Integer>getArgument("first");
    String after = env.getArgument("after");
    return new Page(first, after == null ? 0 : position(after) + 1);
  }

  static String cursor(long position) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + position).getBytes(StandardCharsets.UTF_8));
  }

  private static int position(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (raw.startsWith(PREFIX)) {
        int position = Integer.parseInt(raw.substring(PREFIX.length()));
        if (position >= 0 && position < Integer.MAX_VALUE) return position;
      }
    } catch (IllegalArgumentException e) {
      // not base64 or not a number: the same answer as any other cursor this API never gave out
    }
    throw ApiError.invalid("after", "is not a cursor of this list");
  }

  /** The connection of a service page ({@code {"articles": [...], "articlesCount": n}}). */
  JsonObject connection(JsonObject page) {
    JsonArray articles = page.getJsonArray("articles");
    long total = page.getLong("articlesCount");
    JsonArray edges = new JsonArray(new java.util.ArrayList<>(articles.size()));
    for (int i = 0; i < articles.size(); i++) {
      edges.add(new JsonObject().put("cursor", cursor((long) offset + i)).put("node", articles.getJsonObject(i)));
    }
    JsonObject info = new JsonObject()
        .put("hasNextPage", offset + articles.size() < total)
        .put("hasPreviousPage", offset > 0)
        .put("startCursor", edges.isEmpty() ? null : edges.getJsonObject(0).getString("cursor"))
        .put("endCursor", edges.isEmpty() ? null : edges.getJsonObject(edges.size() - 1).getString("cursor"));
    return new JsonObject().put("edges", edges).put("pageInfo", info).put("totalCount", total);
  }
}
