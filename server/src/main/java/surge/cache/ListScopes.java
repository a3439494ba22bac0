package surge.cache;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The generations of list scopes. A cached list page depends on one or two scopes (the global list, one tag, one
 * author; the tag list has its own), and its key carries the current generation of each. A write that changes a
 * list's membership moves only the scopes it can appear in, so pages of other tags and authors stay cached.
 *
 * <p>Generations live in one Redis hash ({@code <namespace>gen:scopes}) so that nodes agree on them, and in a local map
 * so that a read needs no Redis command once a scope is known here. Invalidation messages carry the moved
 * generations; a node that may have missed messages forgets every local generation and re-reads them on use.
 */
final class ListScopes {
  /** A node that knows more scopes than this forgets them all (they are re-read on use): memory stays bounded. */
  static final int MAX_LOCAL = 200_000;
  private final String hashKey;
  private final CacheRedis redis;
  private final ConcurrentHashMap<String, String> local = new ConcurrentHashMap<>();

  ListScopes(String namespace, CacheRedis redis) {
    this.hashKey = namespace + "gen:scopes";
    this.redis = redis;
  }

  /** The generations of {@code scopes}, in order; from this node's map when it knows them, else from Redis. */
  Future<List<String>> current(List<String> scopes) {
    String[] found = new String[scopes.size()];
    boolean complete = true;
    for (int i = 0; i < found.length; i++) {
      found[i] = local.get(scopes.get(i));
      complete &= found[i] != null;
    }
    if (complete) return Future.succeededFuture(List.of(found));
    return fetch(scopes, true);
  }

  /** The generations as Redis has them (what a reader that may be behind this node's messages needs). */
  Future<List<String>> shared(List<String> scopes) {
    return fetch(scopes, false);
  }

  /** {@code remember}: keep what Redis said where this node knows nothing newer (a message may have overtaken it). */
  private Future<List<String>> fetch(List<String> scopes, boolean remember) {
    if (redis == null || redis.breakerOpen()) return Future.succeededFuture(localOrNew(scopes));
    // HSETNX gives a scope nobody moved yet a generation every node then shares.
    List<Future<?>> creates = new java.util.ArrayList<>();
    for (String scope : scopes) {
      if (!local.containsKey(scope)) creates.add(redis.send(Request.cmd(Command.HSETNX).arg(hashKey).arg(scope).arg(fresh())));
    }
    return Future.join(creates).transform(ignored -> {
      Request get = Request.cmd(Command.HMGET).arg(hashKey);
      for (String scope : scopes) get.arg(scope);
      return redis.send(get);
    }).map(values -> {
      String[] gens = new String[scopes.size()];
      for (int i = 0; i < gens.length; i++) {
        var value = values == null ? null : values.get(i);
        if (value == null) gens[i] = localOrNew(scopes.get(i));
        else gens[i] = remember ? remember(scopes.get(i), value.toString()) : value.toString();
      }
      return List.of(gens);
    }).otherwise(failure -> localOrNew(scopes));
  }

  /** Gives {@code scopes} new generations here and in Redis; the map of what moved goes into the invalidation. */
  Map<String, String> move(Collection<String> scopes) {
    Map<String, String> moved = new java.util.LinkedHashMap<>();
    for (String scope : scopes) moved.put(scope, fresh());
    apply(moved);
    return moved;
  }

  /** Stores moved generations in Redis; completes when Redis answered or failed. */
  Future<Void> store(Map<String, String> moved) {
    if (moved.isEmpty() || redis == null || redis.breakerOpen()) return Future.succeededFuture();
    Request set = Request.cmd(Command.HSET).arg(hashKey);
    moved.forEach((scope, gen) -> set.arg(scope).arg(gen));
    return redis.send(set).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Generations moved by a write (this node's or another's). */
  void apply(Map<String, String> moved) {
    if (local.size() > MAX_LOCAL) local.clear();
    local.putAll(moved);
  }

  /** This node may have missed moves: forget every generation, so each is read from Redis again on use. */
  void forget() {
    local.clear();
  }

  int known() {
    return local.size();
  }

  private List<String> localOrNew(List<String> scopes) {
    String[] gens = new String[scopes.size()];
    for (int i = 0; i < gens.length; i++) gens[i] = localOrNew(scopes.get(i));
    return List.of(gens);
  }

  private String localOrNew(String scope) {
    return local.computeIfAbsent(scope, s -> fresh());
  }

  private String remember(String scope, String gen) {
    if (local.size() > MAX_LOCAL) local.clear();
    String known = local.putIfAbsent(scope, gen);
    return known == null ? gen : known;
  }

  static String fresh() {
    return UUID.randomUUID().toString().substring(0, 13);
  }
}
