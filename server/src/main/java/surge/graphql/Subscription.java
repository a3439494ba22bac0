package surge.graphql;

import graphql.language.Argument;
import graphql.language.Definition;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.NodeUtil;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.StringValue;
import graphql.language.VariableReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import surge.articles.Slugs;
import surge.core.ApiError;
import surge.stream.LiveTap;
import surge.stream.StreamEvent;

/**
 * A checked subscription: its request, its document rewritten as a query (which {@code GraphqlEndpoint} runs once
 * per event against the schema whose query root is {@code Subscription}), its cost per event, and the filter that
 * decides, without any I/O, which live events concern it.
 *
 * @param field the one root field (graphql-java's validation allows one per subscription)
 * @param article for {@code commentAdded}, the id the slug carries; else -1
 */
record Subscription(GraphqlRequest request, Document asQuery, QueryCheck.Shape shape, String field, long article) {

  static Subscription of(GraphqlRequest request, Document document, QueryCheck.Shape shape) {
    OperationDefinition operation = NodeUtil.getOperation(document, request.operationName()).operationDefinition;
    Field root = rootField(operation.getSelectionSet(), NodeUtil.getFragmentsByName(document));
    long article = -1;
    if (root.getName().equals("commentAdded")) {
      String slug = slug(root, request.variables());
      article = slug == null ? -1 : Slugs.idOf(slug).orElse(-1);
      if (article < 0) throw ApiError.notFound("article");
    }
    return new Subscription(request, asQuery(document), shape, root.getName(), article);
  }

  /** Whether the field needs a signed-in viewer (the viewer's feed and followers). */
  boolean signInRequired() {
    return !field.equals("commentAdded");
  }

  /** Whether {@code event} concerns this subscription of {@code user} (-1 anonymous) on {@code tap}. */
  boolean concerns(StreamEvent event, long user, LiveTap tap) {
    return switch (field) {
      case "articlePublished" -> event.kind() == StreamEvent.Kind.ARTICLE_CREATED && event.actor() != user
          && tap.follows(event.actor());
      case "commentAdded" -> event.kind() == StreamEvent.Kind.COMMENT_ADDED && event.article() == article;
      case "followerAdded" -> event.kind() == StreamEvent.Kind.USER_FOLLOWED && user >= 0 && event.target() == user
          && event.actor() != user;
      default -> false;
    };
  }

  private static Field rootField(SelectionSet set, Map<String, FragmentDefinition> fragments) {
    for (Selection<?> selection : set.getSelections()) {
      if (selection instanceof Field field && !field.getName().startsWith("__")) return field;
      SelectionSet inner = selection instanceof InlineFragment inline ? inline.getSelectionSet()
          : selection instanceof FragmentSpread spread ? fragments.get(spread.getName()).getSelectionSet() : null;
      Field found = inner == null ? null : rootField(inner, fragments);
      if (found != null) return found;
    }
    throw new QueryCheck.Refused("BAD_REQUEST", "a subscription needs one field", null);
  }

  private static String slug(Field field, Map<String, Object> variables) {
    for (Argument a : field.getArguments()) {
      if (!a.getName().equals("slug")) continue;
      if (a.getValue() instanceof StringValue s) return s.getValue();
      if (a.getValue() instanceof VariableReference ref && variables != null
          && variables.get(ref.getName()) instanceof String s) return s;
    }
    return null;
  }

  /** The same document with its subscription operations as queries, for the per-event schema. */
  private static Document asQuery(Document document) {
    List<Definition> definitions = new ArrayList<>();
    for (Definition<?> d : document.getDefinitions()) {
      definitions.add(d instanceof OperationDefinition op && op.getOperation() == OperationDefinition.Operation.SUBSCRIPTION
          ? op.transform(b -> b.operation(OperationDefinition.Operation.QUERY)) : d);
    }
    return document.transform(b -> b.definitions(definitions));
  }
}
