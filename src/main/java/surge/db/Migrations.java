package surge.db;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.config.SurgeConfig;

/**
 * Applies {@code src/main/resources/db/migration} with Flyway. JDBC blocks, so this runs only at
 * start-up and only off the event loops (the main thread, or a worker via executeBlocking).
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static void apply(SurgeConfig.Db db) {
    var result = Flyway.configure()
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations("classpath:db/migration")
        .connectRetries(6) // about a minute of back-off for a database that is still starting
        .load()
        .migrate();
    if (result.migrationsExecuted > 0) {
      log.info("database {}: applied {} migration(s), now at version {}",
          db.database(), result.migrationsExecuted, result.targetSchemaVersion);
    } else {
      log.info("database {}: schema up to date", db.database());
    }
  }
}
