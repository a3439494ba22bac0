package surge.web;

import io.vertx.ext.web.RoutingContext;
import surge.core.ApiError;

/**
 * {@code limit} and {@code offset} of a list request. Non-numbers and negatives are 422; a limit
 * above the configured maximum is clamped so that one request cannot ask for the whole table.
 */
public record Paging(int limit, int offset) {
  public static final int DEFAULT_LIMIT = 20;

  public static Paging from(RoutingContext ctx, int maxLimit) {
    int limit = parse(ctx.queryParams().get("limit"), "limit", DEFAULT_LIMIT, 1);
    int offset = parse(ctx.queryParams().get("offset"), "offset", 0, 0);
    return new Paging(Math.min(limit, maxLimit), offset);
  }

  static int parse(String raw, String name, int fallback, int min) {
    if (raw == null || raw.isEmpty()) return fallback;
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw ApiError.invalid(name, "must be a whole number between " + min + " and " + Integer.MAX_VALUE);
    }
    if (value < min || value > Integer.MAX_VALUE) {
      throw ApiError.invalid(name, "must be a whole number between " + min + " and " + Integer.MAX_VALUE);
    }
    return (int) value;
  }
}
