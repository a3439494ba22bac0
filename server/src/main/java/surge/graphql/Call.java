package surge.graphql;

import graphql.schema.DataFetchingEnvironment;
import surge.core.ApiError;
import surge.core.Viewer;

/**
 * One GraphQL request as its resolvers see it: who it acts for, the token it sent (echoed by {@code viewer} and the
 * account mutations). Lives in the request's
 * {@code GraphQLContext}; one instance per request, like the REST {@link Viewer}.
 *
 * @param viewer a writing viewer for a mutation (its reads go to primaries), a reading one for a query
 */
record Call(Viewer viewer, String token) {

  static Call of(DataFetchingEnvironment env) {
    return env.getGraphQlContext().get(Call.class);
  }

  /** The signed-in viewer; 401 {@code token is missing} as a field error when anonymous. */
  Viewer signedIn() {
    if (viewer.isAnonymous()) throw ApiError.missingToken();
    return viewer;
  }
}
