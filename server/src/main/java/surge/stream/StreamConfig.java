package surge.stream;

import surge.config.Doc;
import surge.config.Range;

/** The live event stream, {@code GET /api/stream} ({@code stream.*}; Server-Sent Events, see {@link StreamHub}). */
@Doc("The live event stream, `GET /api/stream` ([stream.md](stream.md)).")
public record StreamConfig(
    @Doc("A comment block (`: hb`) goes to every stream this often, from one timer per HTTP verticle.")
    @Range(min = 1000, max = 3_600_000) int heartbeatMs,
    @Doc("Recent events each HTTP verticle keeps for `Last-Event-ID` resumes; `0` turns replay off (every resume gets"
        + " `reset`).") @Range(min = 0, max = 1_000_000) int replayEvents,
    @Doc("Resumes reach back at most this far.") @Range(min = 0, max = 86_400_000) int replayMs,
    @Doc("Unsent bytes a stream may hold; a client that lets more pile up is disconnected, not buffered.")
    @Range(min = 1024, max = 64 << 20) int maxBufferBytes,
    @Doc("Live streams one node holds; more get 503 with `Retry-After`; `0` = up to the node's connection budget"
        + " (`edge.maxConnections`).") @Range(min = 0, max = 10_000_000) int maxConnections) {}
