package surge.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private static final PasswordsConfig CHEAP = new PasswordsConfig(1024, 1, 1);
  private final PasswordHasher hasher = new PasswordHasher(null, CHEAP);

  @Test
  void hashVerifiesAgainstItsPassword() {
    String hash = hasher.hashNow("correct horse battery staple");
    assertTrue(PasswordHasher.matches("correct horse battery staple", hash));
    assertTrue(PasswordHasher.matches("pässwörd ✓", hasher.hashNow("pässwörd ✓")), "non-ASCII passwords");
    assertTrue(PasswordHasher.matches("", hasher.hashNow("")));
  }

  @Test
  void wrongPasswordDoesNotVerify() {
    String hash = hasher.hashNow("password123");
    assertFalse(PasswordHasher.matches("password124", hash));
    assertFalse(PasswordHasher.matches("Password123", hash));
    assertFalse(PasswordHasher.matches("password123 ", hash));
    assertFalse(PasswordHasher.matches("", hash));
  }

  @Test
  void twoHashesOfOnePasswordDifferBecauseOfTheSalt() {
    String a = hasher.hashNow("same");
    String b = hasher.hashNow("same");
    assertNotEquals(a, b);
    assertNotEquals(a.split("\\$")[4], b.split("\\$")[4], "salts differ");
    assertTrue(PasswordHasher.matches("same", a) && PasswordHasher.matches("same", b));
  }

  @Test
  void hashIsAPhcStringCarryingItsParameters() {
    String hash = hasher.hashNow("pw");
    // 16 salt bytes and 32 hash bytes in unpadded standard base64.
    assertTrue(hash.matches("\\$argon2id\\$v=19\\$m=1024,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash);
    String other = new PasswordHasher(null, new PasswordsConfig(2048, 2, 2)).hashNow("pw");
    assertTrue(other.startsWith("$argon2id$v=19$m=2048,t=2,p=2$"), other);
    assertTrue(PasswordHasher.matches("pw", other), "the stored parameters are used, not the hasher's");
  }

  @Test
  void tamperedHashDoesNotVerify() {
    String hash = hasher.hashNow("pw");
    String[] parts = hash.split("\\$");
    assertFalse(PasswordHasher.matches("pw", replacePart(parts, 5, flipFirst(parts[5]))), "hash changed");
    assertFalse(PasswordHasher.matches("pw", replacePart(parts, 4, flipFirst(parts[4]))), "salt changed");
    assertFalse(PasswordHasher.matches("pw", replacePart(parts, 3, "m=1024,t=2,p=1")), "iterations changed");
    assertFalse(PasswordHasher.matches("pw", replacePart(parts, 3, "m=2048,t=1,p=1")), "memory changed");
  }

  @Test
  void malformedStoredHashesReturnFalseInsteadOfThrowing() {
    String good = hasher.hashNow("pw");
    String[] p = good.split("\\$");
    String salt = p[4], hash = p[5];
    String[] malformed = {
        "", "garbage", "$", "$$$$$", "$argon2i$v=19$m=1024,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=1024,t=1,p=1$" + salt, // no hash part
        "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$", // empty hash part
        "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$" + hash + "$extra",
        "$argon2id$v=19$m=abc,t=1,p=1$" + salt + "$" + hash, // non-numeric cost
        "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m,t,p$" + salt + "$" + hash,
        "$argon2id$v=19$$" + salt + "$" + hash, // no parameters at all
        "$argon2id$v=19$m=1024,t=1$" + salt + "$" + hash, // parallelism missing: 0
        "$argon2id$v=19$m=0,t=0,p=0$" + salt + "$" + hash,
        "$argon2id$v=19$m=-1,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + hash, // not an int
        "$argon2id$v=19$m=2147483647,t=1,p=1$" + salt + "$" + hash, // would need 2 TiB
        "$argon2id$v=19$m=1024,t=2147483647,p=1$" + salt + "$" + hash, // would run for ages
        "$argon2id$v=19$m=1024,t=1,p=1$!!!!$" + hash, // salt not base64
        "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$%%%", // hash not base64
        "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$AA", // 1-byte hash: below Argon2's minimum length
        "$argon2id$v=19$m=1024,t=1,p=1$$" + hash, // empty salt
    };
    for (String stored : malformed) {
      boolean result = assertDoesNotThrow(() -> PasswordHasher.matches("pw", stored), stored);
      assertFalse(result, stored);
    }
  }

  /** Records, for every task the hasher hands to the pool, whether it ran on a worker thread. */
  private static final class RecordingExecutor implements WorkerExecutor {
    final WorkerExecutor delegate;
    final List<Boolean> onWorker = new CopyOnWriteArrayList<>();
    final List<Boolean> onEventLoop = new CopyOnWriteArrayList<>();

    RecordingExecutor(WorkerExecutor delegate) {
      this.delegate = delegate;
    }

    @Override
    public <T> Future<T> executeBlocking(Callable<T> task, boolean ordered) {
      return delegate.executeBlocking(() -> {
        onWorker.add(Context.isOnWorkerThread());
        onEventLoop.add(Context.isOnEventLoopThread());
        return task.call();
      }, ordered);
    }

    @Override
    public Future<Void> close() {
      return delegate.close();
    }
  }

  /** Starts the call on an event loop, as a request handler would, and waits for it on the JUnit thread. */
  private static <T> T onEventLoop(Vertx vertx, Supplier<Future<T>> call, List<Boolean> callbackOnEventLoop)
      throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> call.get().onComplete(r -> {
      callbackOnEventLoop.add(Context.isOnEventLoopThread());
      if (r.succeeded()) done.complete(r.result());
      else done.completeExceptionally(r.cause());
    }));
    return done.get(30, TimeUnit.SECONDS);
  }

  @Test
  void asyncHashAndVerifyRunOnWorkerThreadsAndCompleteOnTheEventLoop() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      RecordingExecutor workers = new RecordingExecutor(vertx.createSharedWorkerExecutor("password-hasher-test", 2));
      PasswordHasher async = new PasswordHasher(workers, CHEAP);
      List<Boolean> callbacks = new CopyOnWriteArrayList<>();

      String hash = onEventLoop(vertx, () -> async.hash("secret"), callbacks);
      assertTrue(PasswordHasher.matches("secret", hash));
      assertTrue(onEventLoop(vertx, () -> async.verify("secret", hash), callbacks));
      assertFalse(onEventLoop(vertx, () -> async.verify("wrong", hash), callbacks));
      assertFalse(onEventLoop(vertx, () -> async.verify("secret", null), callbacks), "unknown account");
      assertFalse(onEventLoop(vertx, () -> async.verify("secret", "garbage"), callbacks), "malformed stored hash");

      assertEquals(5, workers.onWorker.size(), "every call went through the worker executor");
      assertEquals(List.of(true, true, true, true, true), workers.onWorker);
      assertEquals(List.of(false, false, false, false, false), workers.onEventLoop);
      assertEquals(List.of(true, true, true, true, true), callbacks, "results come back on the caller's event loop");
      workers.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static String replacePart(String[] parts, int index, String value) {
    String[] copy = parts.clone();
    copy[index] = value;
    return String.join("$", copy);
  }

  private static String flipFirst(String b64) {
    return (b64.charAt(0) == 'A' ? 'B' : 'A') + b64.substring(1);
  }
}
