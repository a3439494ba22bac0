package surge.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}): a call sends the digest, not the source, and Redis runs the
 * compiled script it keeps instead of hashing the source again. A Redis that does not have it (restarted, flushed,
 * another instance) answers {@code NOSCRIPT}; the call is then sent once more as {@code EVAL}, which loads it.
 */
public record LuaScript(String source, String sha) {
  public static LuaScript of(String source) {
    return new LuaScript(source, sha1(source));
  }

  /** Runs it through {@code send} (the caller's client, breaker and all) with these keys and arguments. */
  public Future<Response> run(Function<Request, Future<Response>> send, List<String> keys, List<String> args) {
    return send.apply(call(Request.cmd(Command.EVALSHA).arg(sha), keys, args)).recover(failure -> isNoScript(failure)
        ? send.apply(call(Request.cmd(Command.EVAL).arg(source), keys, args)) : Future.failedFuture(failure));
  }

  private static Request call(Request request, List<String> keys, List<String> args) {
    request.arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  public static boolean isNoScript(Throwable failure) {
    return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
  }

  public static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
