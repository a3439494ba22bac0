package surge.config;

import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * The key reference of docs/configuration.md, rendered from the records: every key with its environment variable,
 * type, default (from the defaults file), range and {@link Doc} text. A test compares it with the file, so the
 * reference cannot drift from the code.
 */
public final class KeyReference {
  private KeyReference() {}

  /** Markdown: the top-level keys, then one table per section, in the order of {@code root}'s components. */
  public static String render(Class<? extends Record> root, JsonObject defaults) {
    StringBuilder out = new StringBuilder();
    List<String> topLevel = new ArrayList<>();
    for (RecordComponent component : root.getRecordComponents()) {
      Object value = defaults.getValue(component.getName());
      if (!Binder.isSection(component, value)) topLevel.addAll(rows(component, component.getName(), value));
    }
    if (!topLevel.isEmpty()) table(out, "Top level", null, topLevel);
    for (RecordComponent component : root.getRecordComponents()) {
      Object value = defaults.getValue(component.getName());
      if (!Binder.isSection(component, value)) continue;
      Doc doc = component.getType().getAnnotation(Doc.class);
      table(out, "`" + component.getName() + ".*`", doc == null ? null : doc.value(),
          rows(component, component.getName(), value));
    }
    return out.toString();
  }

  private static void table(StringBuilder out, String title, String intro, List<String> rows) {
    out.append("### ").append(title).append("\n\n");
    if (intro != null) out.append(intro).append("\n\n");
    out.append("| key | environment variable | type | default | range | meaning |\n|---|---|---|---|---|---|\n");
    rows.forEach(row -> out.append(row).append('\n'));
    out.append('\n');
  }

  /** One row per key under {@code component}: itself if a key, else every key of its section. */
  private static List<String> rows(RecordComponent component, String key, Object value) {
    if (Binder.isSection(component, value)) {
      List<String> rows = new ArrayList<>();
      JsonObject section = (JsonObject) value;
      for (RecordComponent inner : component.getType().getRecordComponents()) {
        rows.addAll(rows(inner, key + "." + inner.getName(), section.getValue(inner.getName())));
      }
      return rows;
    }
    Doc doc = component.getAnnotation(Doc.class);
    if (doc == null) throw new IllegalStateException("config key " + key + " has no @Doc on its record component");
    Range range = component.getAnnotation(Range.class);
    boolean whole = component.getType() == int.class || component.getType() == long.class;
    if (whole && range == null) throw new IllegalStateException("config key " + key + " has no @Range on its record component");
    return List.of("| `" + key + "` | `" + ConfigTree.envName(key) + "` | " + type(component.getType()) + " | "
        + shown(value) + " | " + (range == null ? "" : range.min() + " – " + range.max()) + " | "
        + doc.value().replace("|", "\\|") + " |");
  }

  private static String type(Class<?> type) {
    if (type == int.class || type == long.class) return "whole number";
    if (type == boolean.class) return "`true` / `false`";
    if (type == double.class) return "number";
    if (type == List.class) return "list, comma-separated";
    return "text";
  }

  private static String shown(Object value) {
    if (value == null || value.toString().isEmpty()) return "empty";
    return "`" + value + "`";
  }
}
