package surge.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import surge.config.Binder;

/**
 * Reads kustomize's output (multi-document YAML) into fabric8's typed Kubernetes model, refusing what the API server
 * would refuse in strict field validation: an unknown or misspelled field, a value of the wrong type (a quoted number
 * where an integer belongs, a bare number where a string belongs), a duplicated key, a kind/apiVersion outside
 * {@link #KINDS}.
 *
 * <p>Why not fabric8's own {@code Serialization}: it turns {@code FAIL_ON_UNKNOWN_PROPERTIES} off. And why not just a
 * Jackson mapper with that feature on: every fabric8 model class has a {@code @JsonAnySetter} that puts any field it
 * does not know into {@code additionalProperties}, so Jackson never sees an unknown field at all (the test
 * {@code plainJacksonSwallowsAMisspelledField} shows it). Here the any-setters are switched off by the annotation
 * introspector, and {@link #leftovers} double-checks that no {@code additionalProperties} got filled anyway.
 */
final class StrictManifests {
  /** The kinds (at the API versions) the manifests may use; anything else is an error, not a skip. */
  static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
      Map.entry("v1/ConfigMap", ConfigMap.class),
      Map.entry("v1/Secret", Secret.class),
      Map.entry("v1/Service", Service.class),
      Map.entry("v1/ServiceAccount", ServiceAccount.class),
      Map.entry("v1/Namespace", Namespace.class),
      Map.entry("apps/v1/Deployment", Deployment.class),
      Map.entry("apps/v1/StatefulSet", StatefulSet.class),
      Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
      Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
      Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
      Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class));

  /** The strict reader. */
  static final ObjectMapper MAPPER = Binder.strict(YAMLMapper.builder())
      .annotationIntrospector(new JacksonAnnotationIntrospector() {
        @Override
        public Boolean hasAnySetter(Annotated a) {
          return Boolean.FALSE;
        }
      })
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // Binder.strict: also no bare number or boolean where a string belongs (env values, labels), as Kubernetes says
      .build();

  /** A manifest that is not valid. */
  static final class InvalidManifest extends RuntimeException {
    InvalidManifest(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private StrictManifests() {}

  /** Every document of {@code yaml}, typed; the first invalid one throws {@link InvalidManifest}. */
  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    try (var docs = MAPPER.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      int index = 0;
      while (docs.hasNextValue()) {
        JsonNode doc = docs.nextValue();
        index++;
        if (doc == null || doc.isNull() || doc.isMissingNode()) continue;
        out.add(typed(doc, index));
      }
    } catch (IOException e) {
      throw new InvalidManifest("not YAML: " + e.getMessage(), e);
    }
    return out;
  }

  private static HasMetadata typed(JsonNode doc, int index) {
    String type = doc.path("apiVersion").asText("?") + "/" + doc.path("kind").asText("?");
    String where = "document " + index + " (" + type + " " + doc.path("metadata").path("name").asText("?") + ")";
    Class<? extends HasMetadata> cls = KINDS.get(type);
    if (cls == null) throw new InvalidManifest(where + ": kind/apiVersion not among " + KINDS.keySet(), null);
    HasMetadata object;
    try {
      object = MAPPER.treeToValue(doc, cls);
    } catch (JsonProcessingException e) {
      String at = e instanceof JsonMappingException m ? " (at " + m.getPathReference() + ")" : "";
      throw new InvalidManifest(where + ": " + e.getOriginalMessage() + at, e);
    }
    List<String> extra = leftovers(object);
    if (!extra.isEmpty()) throw new InvalidManifest(where + ": fields the model does not know: " + extra, null);
    // What the model read must be all the document said, in the same types: written back, it is the same tree
    // (numbers compared by value: the model holds some as Long, the YAML reader makes ints).
    String diff = difference(doc, MAPPER.valueToTree(object), "");
    if (diff != null) throw new InvalidManifest(where + ": the typed model does not round-trip: " + diff, null);
    return object;
  }

  /** The first place where {@code read} differs from {@code written}, or null. */
  private static String difference(JsonNode read, JsonNode written, String path) {
    if (read.isNumber() && written.isNumber()) {
      return read.decimalValue().compareTo(written.decimalValue()) == 0 ? null : path + ": " + read + " became " + written;
    }
    if (read.getNodeType() != written.getNodeType()) return path + ": " + read + " became " + written;
    if (read.isObject()) {
      Set<String> names = new java.util.TreeSet<>();
      read.fieldNames().forEachRemaining(names::add);
      written.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        if (!read.has(name)) return path + "." + name + ": not in the document, added as " + written.get(name);
        if (!written.has(name)) return path + "." + name + ": " + read.get(name) + " was dropped";
        String d = difference(read.get(name), written.get(name), path + "." + name);
        if (d != null) return d;
      }
      return null;
    }
    if (read.isArray()) {
      if (read.size() != written.size()) return path + ": " + read + " became " + written;
      for (int i = 0; i < read.size(); i++) {
        String d = difference(read.get(i), written.get(i), path + "[" + i + "]");
        if (d != null) return d;
      }
      return null;
    }
    return read.equals(written) ? null : path + ": " + read + " became " + written;
  }

  /** Paths of every non-empty {@code additionalProperties} in a fabric8 object graph. */
  static List<String> leftovers(Object root) {
    List<String> found = new ArrayList<>();
    walk(root, "", found, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    return found;
  }

  private static void walk(Object node, String path, List<String> found, Set<Object> seen) {
    if (node == null || !seen.add(node)) return;
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) walk(item, path + "[" + i++ + "]", found, seen);
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, found, seen));
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.")) return;
    for (Method m : node.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(node);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) found.add((path.isEmpty() ? "" : path + ".") + extra.keySet());
        continue;
      }
      String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
      walk(value, path.isEmpty() ? name : path + "." + name, found, seen);
    }
  }
}
