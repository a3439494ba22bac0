package surge.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import surge.core.ApiError;

/**
 * Answers 503 (JSON, {@code Retry-After}) to a request that has not started its response within
 * {@code http.requestTimeoutMs}, so a slow dependency cannot hold clients and their connections without bound. A
 * response that already started (a stream, a large body on its way) is left alone: its status is sent.
 */
public final class RequestTimeout implements Handler<RoutingContext> {
  private final long timeoutMs;

  public RequestTimeout(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long timer = ctx.vertx().setTimer(timeoutMs, id -> {
      if (!ctx.response().headWritten() && !ctx.response().ended()) ctx.fail(ApiError.unavailable("request", 1));
    });
    ctx.addEndHandler(done -> ctx.vertx().cancelTimer(timer));
    ctx.next();
  }
}
