package surge.graphql;

import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/**
 * What one GraphQL request may ask for ({@code graphql.*}); every check runs on the parsed document before
 * anything executes. The reasons behind the defaults are in {@code docs/graphql.md}.
 */
@Doc("What one GraphQL request may ask for; every check runs on the parsed document before anything executes"
    + " ([graphql.md](graphql.md#limits)).")
public record GraphqlLimits(
    @Doc("A longer query text is refused unparsed.") @Range(min = 64, max = 1 << 20) int maxQueryBytes,
    @Doc("Deepest field nesting of an operation (`viewer { username }` is depth 2).") @Range(min = 2, max = 100)
    int maxDepth,
    @Doc("Aliased fields per operation: aliases are how one request repeats an expensive field.")
    @Range(min = 0, max = 1000) int maxAliases,
    @Doc("Largest `first` of a connection; larger is refused, not clamped.") @Range(min = 1, max = 1000) int maxPageSize,
    @Doc("Largest computed cost of one operation; the cost is also what it spends from the caller's rate-limit bucket.")
    @Range(min = 1, max = 1_000_000) int maxCost,
    @Doc("How many items a list without `first` (an article's comments) counts as in the cost.")
    @Range(min = 1, max = 10_000) int unpagedListSize,
    @Doc("`auto` (on in `dev`, off in `prod`), `on` or `off`.") String introspection,
    @Doc("Automatic persisted queries: a registered query may be sent as its SHA-256 alone"
        + " ([graphql.md](graphql.md#persisted-queries)).") boolean persistedQueries,
    @Doc("How long a registered query stays in the two-level cache.") @Range(min = 1000, max = 30 * 86_400_000L)
    long persistedQueryTtlMs,
    @Doc("A JSON file `{\"<sha256>\": \"<query>\"}`: when set, only those operations run (by hash or in full) and nothing"
        + " is registered; empty for none.") String allowListFile,
    @Doc("Subscriptions one WebSocket may run at once; more are refused with an error.") @Range(min = 1, max = 1000)
    int maxSubscriptionsPerSocket,
    @Doc("How long a new WebSocket may take to send `connection_init` before it is closed with 4408.")
    @Range(min = 1000, max = 300_000) long socketInitMs) implements Checked {

  public GraphqlLimits {
    allowListFile = allowListFile.trim();
  }

  @Override
  public void check() {
    if (!introspection.equals("auto") && !introspection.equals("on") && !introspection.equals("off")) {
      throw ConfigException.key("graphql.introspection", "expected auto, on or off, got '" + introspection + "'");
    }
  }

  /** Whether {@code __schema} and {@code __type} are answered in this profile. */
  public boolean introspectionOn(boolean production) {
    return introspection.equals("on") || (introspection.equals("auto") && !production);
  }
}
