package surge.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Binds a configuration tree to a record by name: each component of the record is the key of the same name, a
 * component whose default is an object is a section bound to its own record, all the way down. Jackson does the
 * binding; this class adds what Jackson does not know about configuration: keys reported by their dotted path and
 * environment variable, comma-separated lists, {@link Range}s, and the {@link Checked} sections' own checks.
 *
 * <p>Strict on purpose: a key the record does not have is refused (a typo in the file must not be ignored), so is a
 * key the file lacks, and no value changes type ({@code "5"} is not a number, {@code 1.5} not a whole one).
 */
public final class Binder {
  private static final ObjectMapper MAPPER = strict(JsonMapper.builder())
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .build();

  private Binder() {}

  /**
   * Jackson that drops nothing it does not know and changes no value's JSON type on the way in (no {@code "5"} for a
   * number, no number or boolean for text): how configuration is read, and how the suite reads Kubernetes manifests.
   */
  public static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B strict(B builder) {
    return builder
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .withCoercionConfig(LogicalType.Textual, text -> text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
  }

  /** The whole tree as {@code type}; the first key that cannot be used stops with a {@link ConfigException}. */
  public static <T extends Record> T bind(ConfigTree tree, Class<T> type) {
    return bind(tree.json(), "", type);
  }

  /** One section ({@code db}, {@code cluster.kubernetes}) as {@code type}, for code that needs only that. */
  public static <T extends Record> T bind(ConfigTree tree, String section, Class<T> type) {
    Object node = tree.value(section);
    if (!(node instanceof JsonObject json)) throw new ConfigException("config section " + section + " is missing");
    return bind(json.copy(), section + ".", type);
  }

  private static <T extends Record> T bind(JsonObject json, String prefix, Class<T> type) {
    prepare(json, prefix, type);
    T bound;
    try {
      bound = MAPPER.readValue(json.encode(), type);
    } catch (JsonProcessingException e) {
      throw explain(e, json, prefix);
    }
    check(bound);
    return bound;
  }

  /** Whether the component named {@code name} of a section is itself a section in this tree. */
  static boolean isSection(RecordComponent component, Object value) {
    return component.getType().isRecord() && value instanceof JsonObject;
  }

  /** Names every missing and unknown key, checks ranges, and turns comma-separated strings into lists. */
  private static void prepare(JsonObject node, String prefix, Class<?> type) {
    Set<String> names = new HashSet<>();
    for (RecordComponent component : type.getRecordComponents()) {
      String name = component.getName();
      String key = prefix + name;
      names.add(name);
      if (!node.containsKey(name)) throw new ConfigException("config key " + key + " is missing");
      Object value = node.getValue(name);
      if (value == null) throw new ConfigException("config key " + key + " has no value (null)");
      if (isSection(component, value)) {
        prepare((JsonObject) value, key + ".", component.getType());
      } else if (component.getType() == List.class && value instanceof String s) {
        node.put(name, new JsonArray(new ArrayList<>(split(s))));
      } else {
        checkRange(component, key, value);
      }
    }
    for (String name : node.fieldNames()) {
      if (!names.contains(name)) throw new ConfigException("unknown config key '" + prefix + name + "'");
    }
  }

  /** A comma-separated string read as a list; blank entries are dropped. */
  public static List<String> split(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) out.add(part.trim());
    }
    return out;
  }

  private static void checkRange(RecordComponent component, String key, Object value) {
    Range range = component.getAnnotation(Range.class);
    // A fraction is left to Jackson, which reports it as not a whole number.
    if (range == null || !(value instanceof Number n) || n.doubleValue() != n.longValue()) return;
    long v = n.longValue();
    if (v < range.min() || v > range.max()) {
      throw ConfigException.key(key, v + " is outside " + range.min() + ".." + range.max());
    }
  }

  /** Sections inside first, so a section's own check can rely on the sections it holds. */
  private static void check(Record section) {
    for (RecordComponent component : section.getClass().getRecordComponents()) {
      Object value = read(component, section);
      if (value instanceof Record inner) check(inner);
    }
    if (section instanceof Checked checked) checked.check();
  }

  static Object read(RecordComponent component, Record section) {
    try {
      return component.getAccessor().invoke(section);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + component, e);
    }
  }

  /** Jackson's complaint, retold with the key's path, its environment variable and the value found. */
  private static ConfigException explain(JsonProcessingException e, JsonObject json, String prefix) {
    String path = e instanceof JsonMappingException m
        ? m.getPath().stream().map(JsonMappingException.Reference::getFieldName).filter(n -> n != null)
            .collect(Collectors.joining("."))
        : "";
    String key = prefix + path;
    if (e.getCause() instanceof ConfigException c) return c;
    if (e.getCause() instanceof IllegalArgumentException bad) return ConfigException.key(key, bad.getMessage());
    Object value = path.isEmpty() ? null : ConfigTree.get(json, path);
    String expected = e instanceof MismatchedInputException mi && mi.getTargetType() != null
        ? expected(mi.getTargetType()) : "another value";
    return ConfigException.key(key, "expected " + expected + ", got '" + value + "'");
  }

  private static String expected(Class<?> type) {
    if (type == int.class || type == long.class || type == Integer.class || type == Long.class) return "a whole number";
    if (type == boolean.class || type == Boolean.class) return "true or false";
    if (type == double.class || type == Double.class) return "a number";
    if (type == String.class) return "a string";
    if (type == List.class) return "a comma-separated list";
    return "a " + type.getSimpleName();
  }
}
