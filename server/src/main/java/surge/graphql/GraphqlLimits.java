package surge.graphql;

import surge.config.ConfigException;
import surge.config.ConfigTree;

/**
 * What one GraphQL request may ask for ({@code graphql.*}); every check runs on the parsed document before
 * anything executes. The reasons behind the defaults are in {@code docs/graphql.md}.
 *
 * @param maxQueryBytes a longer query text is refused unparsed ({@code graphql.maxQueryBytes})
 * @param maxDepth deepest field nesting ({@code graphql.maxDepth}; {@code viewer { username }} is depth 2)
 * @param maxAliases aliased fields per operation: aliases are how one request repeats an expensive field
 *     ({@code graphql.maxAliases})
 * @param maxPageSize the largest {@code first} a connection accepts; larger is refused, not clamped
 *     ({@code graphql.maxPageSize})
 * @param maxCost the largest computed cost of one operation ({@code graphql.maxCost}); also what it spends from the
 *     caller's rate-limit bucket
 * @param unpagedListSize how many items a list without {@code first} (an article's comments) counts as in the cost
 *     ({@code graphql.unpagedListSize})
 * @param introspection {@code auto} (on in the dev profile, off in prod), {@code on} or {@code off}
 *     ({@code graphql.introspection})
 * @param persistedQueries automatic persisted queries: a client may send a query's SHA-256 instead of its text once
 *     it was registered ({@code graphql.persistedQueries})
 * @param persistedQueryTtlSeconds how long a registered query is kept in the cache ({@code graphql.persistedQueryTtlSeconds})
 * @param allowListFile a JSON file of {@code {"<sha256>": "<query>"}}: when set, only those operations run, sent by
 *     hash or in full, and nothing is registered ({@code graphql.allowListFile}); empty for none
 */
public record GraphqlLimits(int maxQueryBytes, int maxDepth, int maxAliases, int maxPageSize, int maxCost,
                            int unpagedListSize, String introspection, boolean persistedQueries,
                            int persistedQueryTtlSeconds, String allowListFile) {

  public static GraphqlLimits from(ConfigTree c) {
    String introspection = c.string("graphql.introspection");
    if (!introspection.equals("auto") && !introspection.equals("on") && !introspection.equals("off")) {
      throw new ConfigException("config key graphql.introspection (" + ConfigTree.envName("graphql.introspection")
          + "): expected auto, on or off, got '" + introspection + "'");
    }
    return new GraphqlLimits(c.integer("graphql.maxQueryBytes", 64, 1 << 20), c.integer("graphql.maxDepth", 2, 100),
        c.integer("graphql.maxAliases", 0, 1000), c.integer("graphql.maxPageSize", 1, 1000),
        c.integer("graphql.maxCost", 1, 1_000_000), c.integer("graphql.unpagedListSize", 1, 10_000), introspection,
        c.bool("graphql.persistedQueries"), c.integer("graphql.persistedQueryTtlSeconds", 1, 30 * 86_400),
        c.string("graphql.allowListFile").trim());
  }

  /** Whether {@code __schema} and {@code __type} are answered in this profile. */
  public boolean introspectionOn(boolean production) {
    return introspection.equals("on") || (introspection.equals("auto") && !production);
  }
}
