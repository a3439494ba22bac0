package surge.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The merged configuration tree: {@code conf/surge.json} defaults, then environment variables,
 * then {@code --key=value} arguments. Only keys present in the defaults can be overridden, so a
 * typo in an override is reported instead of silently ignored.
 *
 * <p>Environment names are derived from the key path: {@code db.poolSize} is {@code
 * SURGE_DB_POOL_SIZE}. Values are read as the type the default has; {@link Binder} turns the tree into records.
 */
public final class ConfigTree {
  private final JsonObject root;

  private ConfigTree(JsonObject root) {
    this.root = root;
  }

  /** Reads the defaults file and applies overrides. Runs once, on the main thread, before Vert.x starts. */
  public static ConfigTree load(Path defaults, Map<String, String> env, List<String> args) {
    JsonObject tree = readFile(defaults);
    for (String key : leafKeys(tree, "")) {
      String envValue = env.get(envName(key));
      if (envValue != null) set(tree, key, envValue, envName(key));
    }
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) continue;
      String key = arg.substring(2, arg.indexOf('='));
      // A section (e.g. --db=x) is not a key either: setting it would replace the whole subtree.
      if (!isLeaf(tree, key)) throw new ConfigException("unknown config key '" + key + "' (from argument " + arg + ")");
      set(tree, key, arg.substring(arg.indexOf('=') + 1), "argument --" + key);
    }
    return new ConfigTree(tree);
  }

  /** A tree made from JSON directly, for tests; overrides are applied the same way as for files. */
  public static ConfigTree of(JsonObject tree, Map<String, String> overrides) {
    JsonObject copy = tree.copy();
    overrides.forEach((key, value) -> {
      if (!isLeaf(copy, key)) throw new ConfigException("unknown config key '" + key + "'");
      set(copy, key, value, key);
    });
    return new ConfigTree(copy);
  }

  /** {@code db.poolSize} → {@code SURGE_DB_POOL_SIZE}. */
  public static String envName(String key) {
    return "SURGE_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** A copy of the merged tree, for {@link Binder}. */
  public JsonObject json() {
    return root.copy();
  }

  /** The value at a dotted key ({@code db.poolSize}), a section's object, or null when there is none. */
  public Object value(String key) {
    return get(root, key);
  }

  private static JsonObject readFile(Path file) {
    try {
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage());
    }
  }

  private static List<String> leafKeys(JsonObject node, String prefix) {
    List<String> keys = new ArrayList<>();
    for (String name : node.fieldNames()) {
      Object value = node.getValue(name);
      if (value instanceof JsonObject child) keys.addAll(leafKeys(child, prefix + name + "."));
      else keys.add(prefix + name);
    }
    return keys;
  }

  private static boolean isLeaf(JsonObject tree, String key) {
    Object value = get(tree, key);
    return value != null && !(value instanceof JsonObject);
  }

  static Object get(JsonObject tree, String key) {
    Object node = tree;
    for (String part : key.split("\\.")) {
      if (!(node instanceof JsonObject obj)) return null;
      node = obj.getValue(part);
    }
    return node;
  }

  /** Replaces a leaf with a raw string parsed as the type of the value it replaces. */
  private static void set(JsonObject tree, String key, String raw, String source) {
    String[] parts = key.split("\\.");
    JsonObject parent = tree;
    for (int i = 0; i < parts.length - 1; i++) parent = parent.getJsonObject(parts[i]);
    String leaf = parts[parts.length - 1];
    Object current = parent.getValue(leaf);
    parent.put(leaf, parse(current, raw.trim(), key, source));
  }

  private static Object parse(Object current, String raw, String key, String source) {
    try {
      if (current instanceof Boolean) {
        if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) throw new IllegalArgumentException();
        return Boolean.parseBoolean(raw);
      }
      if (current instanceof Double || current instanceof Float) return Double.parseDouble(raw);
      if (current instanceof Number) return Long.parseLong(raw);
      if (current instanceof JsonArray) return new JsonArray(List.of((Object[]) raw.split(",")));
      return raw;
    } catch (IllegalArgumentException e) {
      throw new ConfigException("config key " + key + " (from " + source + "): cannot read '" + raw + "' as "
          + (current instanceof Boolean ? "true/false" : current instanceof Double ? "a number" : "a whole number"));
    }
  }
}
