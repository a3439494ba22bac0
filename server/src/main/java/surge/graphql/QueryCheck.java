package surge.graphql;

import graphql.GraphQLException;
import graphql.language.Argument;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.IntValue;
import graphql.language.NodeUtil;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.TypeName;
import graphql.language.Value;
import graphql.language.VariableDefinition;
import graphql.language.VariableReference;
import graphql.schema.GraphQLCompositeType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks and the cost of one parsed, valid operation, before anything runs. One walk over the fields the
 * operation would resolve (fragments expanded, variables applied) finds its depth, its aliases, every {@code first}
 * and its cost.
 *
 * <p>Cost: every field that resolves to an object (or is batched apart, like {@code commentsCount}) costs 1 for each
 * time it will be resolved: the product of the page sizes around it — a connection's {@code first}, or
 * {@code graphql.unpagedListSize} for a list of objects without one (an article's comments). Scalars come with their
 * object and are free; {@code pageInfo} is resolved once per connection. An operation costs at least 1.
 * {@code articles(first: 20) { edges { node { title author { username } } } }} is 1 + 20 + 20 + 20 = 61.
 */
final class QueryCheck {
  /** Fields that are scalars but cost a batched query of their own. */
  private static final Set<String> COSTLY_SCALARS = Set.of("Article.commentsCount");
  /** Mutations limited by the {@code auth} policy per client address (as their REST routes), not by {@code writes}. */
  static final Set<String> AUTH_MUTATIONS = Set.of("register", "login");

  /**
   * What a checked operation is and will cost.
   *
   * @param writeCost for a mutation, the cost of its fields other than {@link #AUTH_MUTATIONS}
   * @param authFields for a mutation, how many sign-ups and logins it holds
   */
  record Shape(boolean mutation, int cost, int writeCost, int authFields) {}

  /** An operation refused before execution: {@code code} goes to {@code extensions.code}. */
  static final class Refused extends RuntimeException {
    final String code;
    final JsonObject details;

    Refused(String code, String message, JsonObject details) {
      super(message, null, false, false);
      this.code = code;
      this.details = details;
    }
  }

  private QueryCheck() {}

  /** An HTTP request's operation: a query or a mutation. */
  static Shape check(GraphQLSchema schema, Document document, String operationName, Map<String, Object> variables,
                     GraphqlLimits limits, boolean introspection) {
    return check(schema, document, operationName, variables, limits, introspection, false);
  }

  /**
   * {@code socket}: the operation came over a WebSocket, which serves subscriptions only (HTTP serves the rest); a
   * subscription's cost is that of resolving one event.
   */
  static Shape check(GraphQLSchema schema, Document document, String operationName, Map<String, Object> variables,
                     GraphqlLimits limits, boolean introspection, boolean socket) {
    OperationDefinition operation = operation(document, operationName);
    boolean mutation = operation.getOperation() == OperationDefinition.Operation.MUTATION;
    boolean subscription = operation.getOperation() == OperationDefinition.Operation.SUBSCRIPTION;
    if (subscription != socket) {
      throw new Refused("BAD_REQUEST", socket ? "the WebSocket serves subscriptions; send queries and mutations by HTTP"
          : "subscriptions are served over WebSocket (graphql-transport-ws), not by HTTP", null);
    }
    GraphQLObjectType root = mutation ? schema.getMutationType()
        : subscription ? schema.getSubscriptionType() : schema.getQueryType();
    if (root == null) throw new Refused("BAD_REQUEST", "only queries and mutations are served", null);
    Walk walk = new Walk(schema, document, operation, variables == null ? Map.of() : variables, limits, introspection);
    walk.selections(operation.getSelectionSet(), root, 1, 1, null);
    if (walk.aliases > limits.maxAliases()) {
      throw new Refused("TOO_MANY_ALIASES", "the operation has " + walk.aliases + " aliases; at most "
          + limits.maxAliases() + " are allowed", JsonObject.of("aliases", walk.aliases, "maxAliases", limits.maxAliases()));
    }
    long cost = Math.max(1, walk.cost);
    if (cost > limits.maxCost()) {
      throw new Refused("TOO_COSTLY", "the operation would cost " + cost + "; at most " + limits.maxCost()
          + " is allowed (ask for smaller pages)", JsonObject.of("cost", cost, "maxCost", limits.maxCost()));
    }
    return new Shape(mutation, (int) cost, (int) (walk.cost - walk.authCost), walk.authFields);
  }

  private static OperationDefinition operation(Document document, String operationName) {
    try {
      return NodeUtil.getOperation(document, operationName).operationDefinition;
    } catch (GraphQLException e) {
      throw new Refused("BAD_REQUEST", e.getMessage(), null);
    }
  }

  /**
   * One walk over the operation's selections, fragments expanded at every spread (a fragment spread twice counts
   * twice); refuses as soon as a field breaks a limit. {@code @skip} and {@code @include} are not evaluated: a field
   * that may run counts. The document is valid, so every field and fragment it names exists.
   */
  private static final class Walk {
    private final GraphQLSchema schema;
    private final Map<String, FragmentDefinition> fragments;
    private final Map<String, Object> variables;
    private final Map<String, Object> defaults = new HashMap<>();
    private final GraphqlLimits limits;
    private final boolean introspection;
    long cost;
    long authCost;
    int aliases;
    int authFields;

    Walk(GraphQLSchema schema, Document document, OperationDefinition operation, Map<String, Object> variables,
         GraphqlLimits limits, boolean introspection) {
      this.schema = schema;
      this.fragments = NodeUtil.getFragmentsByName(document);
      this.variables = variables;
      this.limits = limits;
      this.introspection = introspection;
      for (VariableDefinition v : operation.getVariableDefinitions()) {
        if (v.getDefaultValue() != null) defaults.put(v.getName(), v.getDefaultValue());
      }
    }

    /**
     * @param times how many times each field of this selection set will be resolved
     * @param auth the top-level sign-up or login these fields are under, else null
     */
    void selections(SelectionSet set, GraphQLCompositeType type, int depth, long times, String auth) {
      if (set == null) return;
      for (Selection<?> selection : set.getSelections()) {
        if (selection instanceof Field field) {
          field(field, (GraphQLFieldsContainer) type, depth, times, auth);
        } else if (selection instanceof InlineFragment inline) {
          selections(inline.getSelectionSet(), condition(inline.getTypeCondition(), type), depth, times, auth);
        } else if (selection instanceof FragmentSpread spread) {
          FragmentDefinition fragment = fragments.get(spread.getName());
          selections(fragment.getSelectionSet(), condition(fragment.getTypeCondition(), type), depth, times, auth);
        }
      }
    }

    /** The type a fragment's fields are read on: its condition's, or the enclosing one's when it names none. */
    private GraphQLCompositeType condition(TypeName name, GraphQLCompositeType current) {
      return name == null ? current : (GraphQLCompositeType) schema.getType(name.getName());
    }

    private void field(Field field, GraphQLFieldsContainer parent, int depth, long times, String auth) {
      String name = field.getName();
      if (name.equals("__typename")) return;
      if (name.startsWith("__")) {
        // the schema is static and graphql-java bounds introspection itself (good-faith limits): no depth or cost
        if (!introspection) throw new Refused("INTROSPECTION_DISABLED", "introspection is off on this server", null);
        return;
      }
      if (field.getAlias() != null) aliases++;
      if (depth > limits.maxDepth()) {
        throw new Refused("TOO_DEEP", "fields are nested " + depth + " deep; at most " + limits.maxDepth()
            + " is allowed", JsonObject.of("depth", depth, "maxDepth", limits.maxDepth()));
      }
      GraphQLFieldDefinition definition = parent.getFieldDefinition(name);
      if (depth == 1 && parent.getName().equals("Mutation") && AUTH_MUTATIONS.contains(name)) {
        authFields++;
        auth = name;
      }
      if (costs(parent, definition)) {
        cost = saturated(cost + times);
        if (auth != null) authCost = saturated(authCost + times);
      }
      GraphQLType type = GraphQLTypeUtil.unwrapAll(definition.getType());
      if (!(type instanceof GraphQLCompositeType composite)) return;
      Integer first = first(field, definition);
      boolean list = GraphQLTypeUtil.unwrapNonNull(definition.getType()) instanceof GraphQLList;
      // a connection's items are its `first`; its pageInfo is once per connection; its edges are the items already
      long each = first != null ? first : list && !name.equals("edges") ? limits.unpagedListSize() : 1;
      if (first != null) {
        pageInfo(field, composite, depth, times, auth);
        selections(withoutPageInfo(field.getSelectionSet()), composite, depth + 1, saturated(times * each), auth);
      } else {
        selections(field.getSelectionSet(), composite, depth + 1, saturated(times * each), auth);
      }
    }

    /** A connection's {@code pageInfo} selections, resolved once per connection. */
    private void pageInfo(Field connection, GraphQLCompositeType type, int depth, long times, String auth) {
      if (connection.getSelectionSet() == null) return;
      List<Selection<?>> infos = new ArrayList<>();
      for (Selection<?> s : connection.getSelectionSet().getSelections()) {
        if (s instanceof Field f && f.getName().equals("pageInfo")) infos.add(f);
      }
      if (!infos.isEmpty()) selections(SelectionSet.newSelectionSet(infos).build(), type, depth + 1, times, auth);
    }

    private static SelectionSet withoutPageInfo(SelectionSet set) {
      if (set == null) return null;
      List<Selection<?>> rest = new ArrayList<>();
      for (Selection<?> s : set.getSelections()) {
        if (!(s instanceof Field f && f.getName().equals("pageInfo"))) rest.add(s);
      }
      return SelectionSet.newSelectionSet(rest).build();
    }

    /** {@code first} is required by the schema where it exists; here it must also be 1..maxPageSize. */
    private Integer first(Field field, GraphQLFieldDefinition definition) {
      if (definition.getArgument("first") == null) return null;
      Object value = null;
      for (Argument a : field.getArguments()) if (a.getName().equals("first")) value = value(a.getValue());
      int max = limits.maxPageSize();
      if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
          || n.longValue() > max) {
        throw new Refused("BAD_USER_INPUT", field.getName() + ": first must be between 1 and " + max,
            JsonObject.of("argument", "first", "maxPageSize", max));
      }
      return n.intValue();
    }

    /** A literal, or a variable's value as sent (else its default): JSON numbers arrive as Integer, Long or Double. */
    private Object value(Value<?> value) {
      if (value instanceof IntValue i) return i.getValue();
      if (value instanceof VariableReference ref) {
        Object sent = variables.get(ref.getName());
        if (sent != null) return sent;
        Object fallback = defaults.get(ref.getName());
        return fallback instanceof IntValue i ? i.getValue() : null;
      }
      return null;
    }

    private static boolean costs(GraphQLFieldsContainer parent, GraphQLFieldDefinition definition) {
      if (!GraphQLTypeUtil.isLeaf(GraphQLTypeUtil.unwrapAll(definition.getType()))) return true;
      return COSTLY_SCALARS.contains(parent.getName() + "." + definition.getName());
    }

    private static long saturated(long value) {
      return value < 0 || value > Integer.MAX_VALUE ? Integer.MAX_VALUE : value;
    }
  }
}
