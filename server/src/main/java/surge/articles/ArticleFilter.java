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

  /**
   * The statement of this filter's count, numbering parameters from $1 ({@link #countParams}): for the global and
   * by-tag lists the count the shard keeps per scope ({@code article_counts}, migration V6), not a count of its
   * articles; for the rest, whose matches an index narrows (an author's, a user's favorites, a feed), the count.
   */
  String countSql() {
    return keptCount() ? "SELECT coalesce(sum(n), 0)::bigint FROM article_counts WHERE scope = $1"
        : "SELECT count(*) FROM articles a" + where(1);
  }

  /** The parameter values of {@link #countSql}: the scope ({@code ''} for every article, {@code t:<tag>}), or {@link #params}. */
  java.util.List<Object> countParams() {
    return keptCount() ? java.util.List.of(tag == null ? "" : "t:" + tag) : params();
  }

  private boolean keptCount() {
    return authorId == null && authorIds == null && favoritedBy == null;
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
