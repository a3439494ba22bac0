package surge.db;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import surge.config.ConfigException;

/**
 * Which physical database holds each of the {@link Ids#LOGICAL_SHARDS} logical shards.
 *
 * <p>Physical shards come from {@code db.shards}, a comma-separated list of
 * {@code [name=][host[:port]/]database[@replica[+replica...]]}; the default split gives each
 * physical shard one contiguous range of logical shards. A map file ({@code db.shardMapFile},
 * written by the shard-move tool) can reassign single logical shards and freeze them for writes
 * while they move: {@code {"assign":{"17":"p1"},"frozen":[18]}}.
 */
public final class ShardMap {
  /** A replica or primary endpoint. */
  public record Endpoint(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** One PostgreSQL database that holds some logical shards, and its streaming replicas. */
  public record Physical(String name, Endpoint primary, String database, List<Endpoint> replicas) {}

  private final List<Physical> physical;
  private final int[] assignment;
  private final BitSet frozen;

  private ShardMap(List<Physical> physical, int[] assignment, BitSet frozen) {
    this.physical = List.copyOf(physical);
    this.assignment = assignment;
    this.frozen = frozen;
  }

  /** The even split: logical shard {@code l} lives on physical {@code l * P / LOGICAL_SHARDS}. */
  public static ShardMap evenSplit(List<Physical> physical) {
    if (physical.isEmpty()) throw new ConfigException("config key db.shards: at least one physical shard is needed");
    int[] assignment = new int[Ids.LOGICAL_SHARDS];
    for (int l = 0; l < assignment.length; l++) assignment[l] = (int) ((long) l * physical.size() / Ids.LOGICAL_SHARDS);
    return new ShardMap(physical, assignment, new BitSet());
  }

  /** The even split with a map file's reassignments and frozen shards applied. */
  public ShardMap withOverrides(JsonObject file) {
    int[] next = Arrays.copyOf(assignment, assignment.length);
    JsonObject assign = file.getJsonObject("assign", new JsonObject());
    for (String key : assign.fieldNames()) next[logical(key)] = indexOf(assign.getString(key));
    BitSet nextFrozen = new BitSet();
    for (Object l : file.getJsonArray("frozen", new JsonArray())) nextFrozen.set(logical(String.valueOf(l)));
    return new ShardMap(physical, next, nextFrozen);
  }

  /** Parses {@code db.shards}; entries without a host or replicas take the given defaults. */
  public static List<Physical> parse(String spec, Endpoint defaultPrimary, List<Endpoint> defaultReplicas) {
    List<Physical> out = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    String[] entries = spec.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) continue;
      String name = "p" + out.size();
      int eq = entry.indexOf('=');
      if (eq > 0) {
        name = entry.substring(0, eq).trim();
        entry = entry.substring(eq + 1).trim();
      }
      List<Endpoint> replicas = defaultReplicas;
      int at = entry.indexOf('@');
      if (at >= 0) {
        replicas = new ArrayList<>();
        for (String r : entry.substring(at + 1).split("\\+")) if (!r.isBlank()) replicas.add(endpoint(r.trim(), defaultPrimary.port()));
        entry = entry.substring(0, at);
      }
      Endpoint primary = defaultPrimary;
      int slash = entry.lastIndexOf('/');
      if (slash >= 0) {
        primary = endpoint(entry.substring(0, slash), defaultPrimary.port());
        entry = entry.substring(slash + 1);
      }
      if (entry.isBlank()) throw new ConfigException("config key db.shards: entry " + (i + 1) + " names no database");
      if (!names.add(name)) throw new ConfigException("config key db.shards: physical shard name '" + name + "' is used twice");
      out.add(new Physical(name, primary, entry, List.copyOf(replicas)));
    }
    if (out.isEmpty()) throw new ConfigException("config key db.shards: at least one physical shard is needed");
    return out;
  }

  /** Parses a comma-separated {@code host:port} list ({@code db.replicas}). */
  public static List<Endpoint> endpoints(String spec, int defaultPort) {
    List<Endpoint> out = new ArrayList<>();
    for (String part : spec.split(",")) if (!part.isBlank()) out.add(endpoint(part.trim(), defaultPort));
    return out;
  }

  public List<Physical> physical() {
    return physical;
  }

  /** Index into {@link #physical()} of the database holding {@code logical}. */
  public int physicalOf(int logical) {
    return assignment[logical];
  }

  /** Logical shards whose writes are refused (503) while the shard-move tool copies them. */
  public boolean isFrozen(int logical) {
    return frozen.get(logical);
  }

  /** How many logical shards each physical shard holds, for the operator view. */
  public int[] counts() {
    int[] counts = new int[physical.size()];
    for (int p : assignment) counts[p]++;
    return counts;
  }

  public int indexOf(String physicalName) {
    for (int i = 0; i < physical.size(); i++) if (physical.get(i).name().equals(physicalName)) return i;
    throw new ConfigException("shard map: no physical shard named '" + physicalName + "'");
  }

  private static int logical(String raw) {
    try {
      int l = Integer.parseInt(raw.trim());
      if (l >= 0 && l < Ids.LOGICAL_SHARDS) return l;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException("shard map: '" + raw + "' is not a logical shard (0.." + (Ids.LOGICAL_SHARDS - 1) + ")");
  }

  private static Endpoint endpoint(String raw, int defaultPort) {
    int colon = raw.lastIndexOf(':');
    try {
      if (colon < 0) return new Endpoint(raw, defaultPort);
      return new Endpoint(raw.substring(0, colon), Integer.parseInt(raw.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new ConfigException("config key db.shards/db.replicas: bad port in '" + raw + "'");
    }
  }
}
