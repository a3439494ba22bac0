package surge.db;

import io.vertx.pgclient.PgException;

/** Reads PostgreSQL error codes that carry meaning for the API. */
public final class PgErrors {
  private PgErrors() {}

  /** A unique constraint violation (23505) on the named constraint. */
  public static boolean isUniqueViolation(Throwable failure, String constraint) {
    return failure instanceof PgException pg && "23505".equals(pg.getSqlState())
        && pg.getErrorMessage() != null && pg.getErrorMessage().contains(constraint);
  }

  /** A foreign key violation (23503): the row referred to was deleted concurrently. */
  public static boolean isForeignKeyViolation(Throwable failure) {
    return failure instanceof PgException pg && "23503".equals(pg.getSqlState());
  }
}
