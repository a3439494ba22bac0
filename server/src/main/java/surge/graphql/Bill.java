package surge.graphql;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import surge.ratelimit.Decision;
import surge.ratelimit.Limiter;
import surge.ratelimit.Policy;

/**
 * What one GraphQL request has paid, per policy: the tokens taken and the last decision (whose {@code remaining} is
 * what is left). One per request, on its event loop.
 */
final class Bill {
  private final Limiter limiter;
  final String principal;
  private final Map<Policy, Decision> last = new LinkedHashMap<>();
  private final Map<Policy, Integer> spent = new LinkedHashMap<>();

  Bill(Limiter limiter, String principal) {
    this.limiter = limiter;
    this.principal = principal;
  }

  /** Takes {@code tokens} of {@code policy} for {@code who}; completes with null when there was nothing to take. */
  Future<Decision> take(Policy policy, String who, int tokens) {
    if (tokens <= 0) return Future.succeededFuture();
    return limiter.acquireMany(policy, who, tokens).onSuccess(d -> {
      last.put(policy, d);
      spent.merge(policy, tokens, Integer::sum);
    });
  }

  java.util.Collection<Decision> decisions() {
    return last.values();
  }

  Limiter limiter() {
    return limiter;
  }

  /** {@code {"cost": n, "spent": {"reads": n}, "remaining": {"reads": r}}}. */
  JsonObject json(int cost) {
    JsonObject paid = new JsonObject();
    JsonObject left = new JsonObject();
    spent.forEach((policy, n) -> paid.put(policy.name(), n));
    last.forEach((policy, d) -> left.put(policy.name(), d.remaining()));
    return new JsonObject().put("cost", cost).put("spent", paid).put("remaining", left);
  }
}
