package surge.config;

/** A configuration value that cannot be used; the message names the key so operators can fix it. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  /** "config key {@code key} (its environment variable): {@code problem}". */
  public static ConfigException key(String key, String problem) {
    return new ConfigException("config key " + key + " (" + ConfigTree.envName(key) + "): " + problem);
  }

  /** Two keys that exclude or need each other, both named with their environment variables. */
  public static ConfigException keys(String first, String second, String problem) {
    return new ConfigException("config keys " + first + " (" + ConfigTree.envName(first) + ") and " + second + " ("
        + ConfigTree.envName(second) + ") " + problem);
  }
}
