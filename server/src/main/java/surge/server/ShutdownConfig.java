package surge.server;

import surge.config.Doc;
import surge.config.Range;

/** Stopping a node on SIGTERM ({@code shutdown.*}, see {@code surge.Surge#shutdown}). */
@Doc("Stopping a node on SIGTERM.")
public record ShutdownConfig(
    @Doc("Readiness turns false at once; the node keeps serving (and accepting connections) this long, so load balancers"
        + " notice and stop sending, then it stops listening.") @Range(min = 0, max = 600_000) int drainDelayMs,
    @Doc("Then requests and streams in flight may finish for this long; what is still open is closed.")
    @Range(min = 0, max = 600_000) int graceMs) {}
