package surge.config;

/** A configuration value that cannot be used; the message names the key so operators can fix it. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
