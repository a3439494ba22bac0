package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import surge.config.ConfigException;

/** The map file: ranges, round trips through {@link ShardMap#toFile}, and the guard for a changed physical list. */
class ShardMapTest {
  private static final ShardMap.Endpoint HOST = new ShardMap.Endpoint("127.0.0.1", 15432);

  private static ShardMap even(String shards) {
    return ShardMap.evenSplit(ShardMap.parse(shards, HOST, List.of()));
  }

  private static void assertSameMap(ShardMap expected, ShardMap actual) {
    for (int l = 0; l < Ids.LOGICAL_SHARDS; l++) {
      assertEquals(expected.names().get(expected.physicalOf(l)), actual.names().get(actual.physicalOf(l)), "logical " + l);
      assertEquals(expected.isFrozen(l), actual.isFrozen(l), "frozen " + l);
    }
  }

  @Test
  void theEvenSplitOfTwoWritesAsTwoRanges() {
    JsonObject file = even("a,b").toFile();
    assertEquals(new JsonObject().put("0-4095", "p0").put("4096-8191", "p1"), file.getJsonObject("assign"));
    assertEquals(new JsonArray().add("p0").add("p1"), file.getJsonArray("physical"));
    assertEquals(new JsonArray(), file.getJsonArray("frozen"));
  }

  @Test
  void aMovedAndAFrozenShardRoundTrip() {
    ShardMap map = even("a,b,c").withAssignment(17, 2).withAssignment(8191, 0).withFrozen(18, true);
    JsonObject file = new JsonObject(map.toFile().encode());
    assertEquals("p2", file.getJsonObject("assign").getString("17"));
    assertEquals("p0", file.getJsonObject("assign").getString("8191"));
    assertEquals(new JsonArray().add(18), file.getJsonArray("frozen"));
    ShardMap back = even("a,b,c").withOverrides(file);
    assertSameMap(map, back);
    assertTrue(back.isFrozen(18));
    assertFalse(back.withFrozen(18, false).isFrozen(18));
  }

  @Test
  void singleEntriesAndRangesApplyInFileOrder() {
    JsonObject file = new JsonObject().put("assign", new JsonObject().put("0-9", "p1").put("5", "p0"));
    ShardMap map = even("a,b").withOverrides(file);
    assertEquals(1, map.physicalOf(4));
    assertEquals(0, map.physicalOf(5));
    assertEquals(1, map.physicalOf(9));
    assertEquals(0, map.physicalOf(10), "outside the file, the even split holds");
  }

  @Test
  void badRangesAndNamesAreRefused() {
    for (String key : new String[] {"9-5", "0-8192", "-1", "a-b", "1-", "x"}) {
      JsonObject file = new JsonObject().put("assign", new JsonObject().put(key, "p0"));
      assertThrows(ConfigException.class, () -> even("a,b").withOverrides(file), key);
    }
    JsonObject unknown = new JsonObject().put("assign", new JsonObject().put("3", "p9"));
    assertThrows(ConfigException.class, () -> even("a,b").withOverrides(unknown));
  }

  @Test
  void aPinnedMapKeepsEveryShardWhenAPhysicalShardIsAppended() {
    ShardMap before = even("a,b").withAssignment(100, 1);
    ShardMap after = even("a,b,c").withOverrides(before.toFile());
    assertSameMap(before, after);
    assertEquals(0, after.counts()[2], "the new physical shard holds nothing until shards are moved onto it");
    // The tool's next write names the new list, and moving onto it works as for any shard.
    assertEquals(2, even("a,b,c").withOverrides(after.withAssignment(5, 2).toFile()).physicalOf(5));
  }

  @Test
  void aPartialMapWrittenForAnotherListIsRefused() {
    JsonObject partial = new JsonObject().put("physical", new JsonArray().add("p0").add("p1"))
        .put("assign", new JsonObject().put("17", "p1"));
    assertEquals(1, even("a,b").withOverrides(partial).physicalOf(17), "same list: fine");
    ConfigException e = assertThrows(ConfigException.class, () -> even("a,b,c").withOverrides(partial));
    assertTrue(e.getMessage().contains("--pin"), e.getMessage());
  }
}
