package surge.articles;

import java.util.Collection;

/**
 * Which articles a list shows. Null fields do not filter. {@code authorIds} is the feed's set of
 * followed authors (never null for a feed, possibly empty).
 */
record ArticleFilter(String tag, Long authorId, Long favoritedBy, Collection<Long> authorIds) {
  static ArticleFilter all() {
    return new ArticleFilter(null, null, null, null);
  }

  static ArticleFilter feed(Collection<Long> followees) {
    return new ArticleFilter(null, null, null, followees);
  }

  /** The same filter restricted to some of the feed's authors (those on one shard). */
  ArticleFilter withAuthors(Collection<Long> subset) {
    return new ArticleFilter(tag, authorId, favoritedBy, subset);
  }

  /** True when the filter names something that does not exist, so the answer is empty without a query. */
  boolean matchesNothing() {
    return authorIds != null && authorIds.isEmpty();
  }

  /**
   * The WHERE clause for these filters, numbering parameters from {@code firstParam}. Each filter
   * combination gives its own statement text, so PostgreSQL plans each one for what it really
   * filters (a catch-all {@code $1 IS NULL OR ...} statement would get one poor generic plan).
   */
  String where(int firstParam) {
    StringBuilder sql = new StringBuilder(" WHERE true");
    int p = firstParam;
    if (tag != null) sql.append(" AND a.tags @> ARRAY[$").append(p++).append("::text]");
    if (authorId != null) sql.append(" AND a.author_id = $").append(p++);
    if (authorIds != null) sql.append(" AND a.author_id = ANY($").append(p++).append(")");
    if (favoritedBy != null) {
      sql.append(" AND EXISTS (SELECT 1 FROM favorites fb WHERE fb.article_id = a.id AND fb.user_id = $")
          .append(p++).append(")");
    }
    return sql.toString();
  }

  /** The parameter values in the order {@link #where} numbers them. */
  java.util.List<Object> params() {
    java.util.List<Object> out = new java.util.ArrayList<>(4);
    if (tag != null) out.add(tag);
    if (authorId != null) out.add(authorId);
    if (authorIds != null) out.add(authorIds.toArray(Long[]::new));
    if (favoritedBy != null) out.add(favoritedBy);
    return out;
  }
}
