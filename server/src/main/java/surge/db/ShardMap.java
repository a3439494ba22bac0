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
 * written by the shard-move tool) can reassign logical shards, singly or as inclusive ranges, and
 * freeze them for writes while they move: {@code {"assign":{"0-4095":"p0","17":"p1"},"frozen":[18]}}.
 * Entries apply in file order over the even split, so a later one wins.
 *
 * <p>The tool always writes the complete assignment plus the physical names it was written for
 * ({@code "physical":["p0","p1"]}). That pins every logical shard, so appending a physical shard
 * to {@code db.shards} (whose even split would move existing logical shards) changes nothing until
 * logical shards are moved onto it. A file written for another list that does not pin every
 * logical shard is refused: its gaps would fall back to the new list's even split.
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
    if (physical.isEmpty()) throw ConfigException.key("db.shards", "at least one physical shard is needed");
    int[] assignment = new int[Ids.LOGICAL_SHARDS];
    for (int l = 0; l < assignment.length; l++) assignment[l] = (int) ((long) l * physical.size() / Ids.LOGICAL_SHARDS);
    return new ShardMap(physical, assignment, new BitSet());
  }

  /** The even split with a map file's reassignments and frozen shards applied. */
  public ShardMap withOverrides(JsonObject file) {
    int[] next = Arrays.copyOf(assignment, assignment.length);
    BitSet pinned = new BitSet();
    JsonObject assign = file.getJsonObject("assign", new JsonObject());
    for (String key : assign.fieldNames()) {
      int[] range = range(key);
      int target = indexOf(assign.getString(key));
      Arrays.fill(next, range[0], range[1] + 1, target);
      pinned.set(range[0], range[1] + 1);
    }
    checkWrittenFor(file.getJsonArray("physical"), pinned);
    BitSet nextFrozen = new BitSet();
    for (Object l : file.getJsonArray("frozen", new JsonArray())) nextFrozen.set(logical(String.valueOf(l)));
    return new ShardMap(physical, next, nextFrozen);
  }

  /** This map as a map file: every logical shard pinned, in ranges, with the names it was written for. */
  public JsonObject toFile() {
    JsonObject assign = new JsonObject();
    int start = 0;
    for (int l = 1; l <= assignment.length; l++) {
      if (l < assignment.length && assignment[l] == assignment[start]) continue;
      assign.put(start == l - 1 ? Integer.toString(start) : start + "-" + (l - 1), physical.get(assignment[start]).name());
      start = l;
    }
    JsonArray frozenList = new JsonArray();
    frozen.stream().forEach(frozenList::add);
    return new JsonObject().put("physical", new JsonArray(names())).put("assign", assign).put("frozen", frozenList);
  }

  /** The same map with {@code logical} frozen or writable. */
  public ShardMap withFrozen(int logical, boolean on) {
    BitSet next = (BitSet) frozen.clone();
    next.set(logical, on);
    return new ShardMap(physical, assignment, next);
  }

  /** The same map with {@code logical} on the physical shard at {@code index}. */
  public ShardMap withAssignment(int logical, int index) {
    int[] next = Arrays.copyOf(assignment, assignment.length);
    next[logical] = index;
    return new ShardMap(physical, next, frozen);
  }

  public List<String> names() {
    return physical.stream().map(Physical::name).toList();
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
      if (entry.isBlank()) throw ConfigException.key("db.shards", "entry " + (i + 1) + " names no database");
      if (!names.add(name)) throw ConfigException.key("db.shards", "physical shard name '" + name + "' is used twice");
      out.add(new Physical(name, primary, entry, List.copyOf(replicas)));
    }
    if (out.isEmpty()) throw ConfigException.key("db.shards", "at least one physical shard is needed");
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

  public int frozenCount() {
    return frozen.cardinality();
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

  /**
   * A file written for another physical list must pin every logical shard: a gap would take the even
   * split of the current list, which differs from the one the data was placed with.
   */
  private void checkWrittenFor(JsonArray writtenFor, BitSet pinned) {
    if (writtenFor == null || writtenFor.getList().equals(names()) || pinned.cardinality() == Ids.LOGICAL_SHARDS) return;
    throw new ConfigException("shard map: written for physical shards " + writtenFor.encode() + " but db.shards lists "
        + new JsonArray(names()).encode() + ", and it pins only " + pinned.cardinality() + " of " + Ids.LOGICAL_SHARDS
        + " logical shards; run bin/shard-move --pin with the old db.shards first");
  }

  /** {@code "17"} or {@code "0-4095"} (inclusive) as {from, to}. */
  private static int[] range(String raw) {
    int dash = raw.indexOf('-', 1);
    if (dash < 0) {
      int l = logical(raw);
      return new int[] {l, l};
    }
    int from = logical(raw.substring(0, dash));
    int to = logical(raw.substring(dash + 1));
    if (to < from) throw new ConfigException("shard map: range '" + raw + "' ends before it starts");
    return new int[] {from, to};
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
      throw ConfigException.keys("db.shards", "db.replicas", "name a bad port in '" + raw + "'");
    }
  }
}
