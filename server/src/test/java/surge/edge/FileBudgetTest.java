package surge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import surge.config.ConfigException;

/** The connection budget: what is left of the open-files limit once the node kept its own descriptors. */
class FileBudgetTest {
  static EdgeLimits limits(int maxConnections, int reservedFiles) {
    return new EdgeLimits(5000, 30000, 5000, 32768, maxConnections, 1000, List.of(), reservedFiles, 90, 1000, 5000,
        100, 16384, 200, 30, 65535, 4096);
  }

  @Test
  void derivedCapLeavesTheReserveAndThePools() {
    FileBudget budget = FileBudget.plan(20_000, limits(0, 0), 72);
    assertEquals(2_000 + 72, budget.reserved(), "a tenth of the limit (at least 1,024) plus the pools");
    assertEquals(20_000 - 2_072, budget.maxConnections());
    assertEquals(1_024 + 72, FileBudget.plan(4_096, limits(0, 0), 72).reserved(), "the floor on a small limit");
  }

  @Test
  void aConfiguredCapThatFitsIsKeptAndOneThatDoesNotStopsStartUp() {
    assertEquals(5_000, FileBudget.plan(20_000, limits(5_000, 0), 72).maxConnections());
    ConfigException tooMany = assertThrows(ConfigException.class, () -> FileBudget.plan(20_000, limits(19_000, 0), 72));
    assertTrue(tooMany.getMessage().contains("edge.maxConnections") && tooMany.getMessage().contains("20000")
        && tooMany.getMessage().contains("at most 17928"), tooMany.getMessage());
    ConfigException noRoom = assertThrows(ConfigException.class, () -> FileBudget.plan(1_000, limits(0, 2_000), 0));
    assertTrue(noRoom.getMessage().contains("edge.reservedFiles"), noRoom.getMessage());
  }

  @Test
  void streamsFollowTheBudgetAndCannotExceedIt() {
    FileBudget budget = FileBudget.plan(20_000, limits(10_000, 0), 0);
    assertEquals(10_000, budget.streamCap(0));
    assertEquals(500, budget.streamCap(500));
    ConfigException e = assertThrows(ConfigException.class, () -> budget.streamCap(50_000));
    assertTrue(e.getMessage().contains("stream.maxConnections") && e.getMessage().contains("edge.maxConnections"));
  }

  @Test
  void anUnknownLimitKeepsWhatIsConfigured() {
    assertEquals(0, FileBudget.plan(0, limits(0, 0), 10).maxConnections(), "no limit known, none configured: no cap");
    assertEquals(300, FileBudget.plan(0, limits(300, 0), 10).maxConnections());
  }

  @Test
  void pressureStartsAtItsShareOfTheBudget() {
    FileBudget budget = FileBudget.plan(20_000, limits(1_000, 0), 0);
    assertEquals(900, budget.pressureThreshold(90));
    assertEquals(Integer.MAX_VALUE, FileBudget.plan(0, limits(0, 0), 0).pressureThreshold(90));
  }
}
