package surge.db;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code src/main/resources/db/migration} with Flyway to every physical shard (each holds
 * the same schema). JDBC blocks, so this runs only at start-up and only off the event loops.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static void apply(DbConfig db) {
    for (ShardMap.Physical shard : Shards.loadMap(db).physical()) apply(db, shard);
  }

  static void apply(DbConfig db, ShardMap.Physical shard) {
    String url = "jdbc:postgresql://" + shard.primary() + "/" + shard.database();
    var result = Flyway.configure()
        .dataSource(url, db.user(), db.password())
        .locations("classpath:db/migration")
        .connectRetries(6) // about a minute of back-off for a database that is still starting
        .load()
        .migrate();
    if (result.migrationsExecuted > 0) {
      log.info("shard {} ({}): applied {} migration(s), now at version {}",
          shard.name(), url, result.migrationsExecuted, result.targetSchemaVersion);
    } else {
      log.info("shard {} ({}): schema up to date", shard.name(), url);
    }
  }
}
