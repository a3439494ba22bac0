package surge.observability;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import surge.config.ConfigException;
import surge.config.ConfigTree;

/**
 * Logging ({@code log.*}), applied once at start by {@link Logging#apply}.
 *
 * @param format {@code json} (one JSON object per line, for ELK/Loki), {@code text} (a human-readable line), or
 *     {@code auto}: json in the prod profile, text in dev ({@code log.format})
 * @param level level of the root logger: TRACE, DEBUG, INFO, WARN, ERROR or OFF ({@code log.level}, env
 *     {@code SURGE_LOG_LEVEL})
 * @param levels per-logger levels, {@code logger=LEVEL} comma-separated, e.g. {@code surge.http=DEBUG,surge.access=WARN}
 *     ({@code log.levels})
 * @param access one line per HTTP request on logger {@code surge.access} ({@code log.access})
 * @param trustRequestId take the request id from an incoming {@code X-Request-Id} header (if well-formed) instead of
 *     generating one ({@code log.trustRequestId}); turn on only behind a proxy that sets or strips that header, as
 *     with {@code ratelimit.trustedProxyHeader}
 */
public record LogConfig(String format, String level, Map<String, String> levels, boolean access, boolean trustRequestId) {
  public static final String JSON = "json";
  public static final String TEXT = "text";
  public static final String AUTO = "auto";

  /** Text at INFO, access log on, request ids generated: for code that builds the HTTP verticle without config. */
  public static final LogConfig DEFAULTS = new LogConfig(TEXT, "INFO", Map.of(), true, false);

  /** Whether lines are written as JSON, given the profile ({@code auto} follows it). */
  public boolean json(boolean production) {
    return format.equals(JSON) || format.equals(AUTO) && production;
  }

  public static LogConfig from(ConfigTree c) {
    String format = c.string("log.format").trim().toLowerCase(Locale.ROOT);
    if (!format.equals(JSON) && !format.equals(TEXT) && !format.equals(AUTO)) {
      throw new ConfigException("config key log.format (SURGE_LOG_FORMAT): expected json, text or auto, got '" + format + "'");
    }
    String level = level(c.string("log.level"), "log.level");
    Map<String, String> levels = new LinkedHashMap<>();
    for (String entry : c.list("log.levels")) {
      int eq = entry.indexOf('=');
      String logger = eq < 0 ? "" : entry.substring(0, eq).trim();
      if (logger.isEmpty() || !logger.matches("[A-Za-z0-9_.$]+")) {
        throw new ConfigException("config key log.levels (SURGE_LOG_LEVELS): expected logger=LEVEL entries, got '" + entry + "'");
      }
      levels.put(logger, level(entry.substring(eq + 1), "log.levels"));
    }
    return new LogConfig(format, level, Map.copyOf(levels), c.bool("log.access"), c.bool("log.trustRequestId"));
  }

  private static String level(String value, String key) {
    String v = value.trim().toUpperCase(Locale.ROOT);
    return switch (v) {
      case "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF" -> v;
      default -> throw new ConfigException("config key " + key + " (" + ConfigTree.envName(key)
          + "): expected TRACE, DEBUG, INFO, WARN, ERROR or OFF, got '" + value.trim() + "'");
    };
  }
}
