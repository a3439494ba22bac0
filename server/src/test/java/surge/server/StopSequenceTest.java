package surge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StopSequenceTest {
  @Test
  void aStepThatNeverEndsIsCutAtItsBoundAndTheNextStillRuns() throws Exception {
    StopSequence stop = new StopSequence();
    List<String> ran = new ArrayList<>();
    Promise<Void> never = Promise.promise();
    long start = System.nanoTime();
    stop.step("hangs", 200, () -> {
          ran.add("hangs");
          return never.future();
        })
        .compose(done -> stop.step("after", 1000, () -> {
          ran.add("after");
          return Future.succeededFuture();
        }))
        .await(5, TimeUnit.SECONDS);
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(List.of("hangs", "after"), ran);
    assertTrue(tookMs >= 200, "waited for the bound: " + tookMs + " ms");
  }

  @Test
  void aFailedStepIsPassedAndCurrentNamesTheRunningStep() throws Exception {
    StopSequence stop = new StopSequence();
    assertNull(stop.current());
    Promise<Void> held = Promise.promise();
    Future<Void> second = stop.step("fails", 1000, () -> Future.failedFuture(new IllegalStateException("boom")))
        .compose(done -> stop.step("held", 5000, () -> held.future()));
    assertEquals("held", stop.current(), "the failure did not stop the sequence");
    held.complete();
    second.await(5, TimeUnit.SECONDS);
    stop.finished();
    assertEquals("stopped", stop.current());
  }

  @Test
  void aStepWithNothingToDoSucceedsAtOnce() throws Exception {
    StopSequence stop = new StopSequence();
    assertTrue(stop.step("nothing", 1, () -> null).await(1, TimeUnit.SECONDS) == null);
    assertEquals("nothing", stop.current());
  }
}
