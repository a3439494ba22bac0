package surge.observability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;

/** Logging ({@code log.*}), applied once at start by {@link Logging#apply}. */
@Doc("Logging ([operations.md](operations.md#logs)).")
public record LogConfig(
    @Doc("`json` (one flat JSON object per line, for ELK/Loki), `text` (a human-readable line), or `auto`: JSON in the"
        + " `prod` profile, text in `dev`.") String format,
    @Doc("Level of the root logger: `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR` or `OFF` (logback.xml also reads"
        + " `SURGE_LOG_LEVEL` for the lines logged before the configuration is loaded).") String level,
    @Doc("Per-logger levels, `logger=LEVEL` comma-separated, e.g. `surge.server=DEBUG,surge.access=WARN`.")
    List<String> levels,
    @Doc("One access-log line per HTTP request (logger `surge.access`).") boolean access,
    @Doc("Keep a well-formed incoming `X-Request-Id` instead of generating one; only behind a proxy that sets or strips"
        + " that header, as with `ratelimit.trustedProxyHeader`.") boolean trustRequestId) implements Checked {
  public static final String JSON = "json";
  public static final String TEXT = "text";
  public static final String AUTO = "auto";

  /** Text at INFO, access log on, request ids generated: for code that builds the HTTP verticle without config. */
  public static final LogConfig DEFAULTS = new LogConfig(TEXT, "INFO", List.of(), true, false);

  public LogConfig {
    format = format.trim().toLowerCase(Locale.ROOT);
    level = level.trim().toUpperCase(Locale.ROOT);
    levels = List.copyOf(levels);
  }

  /** Whether lines are written as JSON, given the profile ({@code auto} follows it). */
  public boolean json(boolean production) {
    return format.equals(JSON) || format.equals(AUTO) && production;
  }

  /** {@code levels} as logger → level, levels upper case. */
  public Map<String, String> loggerLevels() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : levels) {
      int eq = entry.indexOf('=');
      out.put(entry.substring(0, Math.max(eq, 0)).trim(), entry.substring(eq + 1).trim().toUpperCase(Locale.ROOT));
    }
    return out;
  }

  @Override
  public void check() {
    if (!format.equals(JSON) && !format.equals(TEXT) && !format.equals(AUTO)) {
      throw ConfigException.key("log.format", "expected json, text or auto, got '" + format + "'");
    }
    checkLevel(level, "log.level");
    for (String entry : levels) {
      int eq = entry.indexOf('=');
      String logger = eq < 0 ? "" : entry.substring(0, eq).trim();
      if (logger.isEmpty() || !logger.matches("[A-Za-z0-9_.$]+")) {
        throw ConfigException.key("log.levels", "expected logger=LEVEL entries, got '" + entry + "'");
      }
      checkLevel(entry.substring(eq + 1).trim().toUpperCase(Locale.ROOT), "log.levels");
    }
  }

  private static void checkLevel(String level, String key) {
    switch (level) {
      case "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF" -> { }
      default -> throw ConfigException.key(key, "expected TRACE, DEBUG, INFO, WARN, ERROR or OFF, got '" + level + "'");
    }
  }
}
