package surge.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Server-Sent Events framing (WHATWG HTML, "server-sent events"). Frames are built once and written as the
 * same Buffer to every stream that gets them.
 */
final class Sse {
  /**
   * How long a disconnected client waits before it reconnects (the {@code retry:} field): at least this many ms,
   * plus up to as much again at random per stream, so that the streams of a node that stops do not all
   * reconnect in the same instant.
   */
  static final int RETRY_MS = 5000;

  private Sse() {}

  /**
   * The first bytes of every stream, written at once so the client sees it open. {@code id:} (when the
   * hub has seen an event) gives the client a position even before any event for it arrives: a
   * reconnect then resumes from here instead of silently skipping what happened while it was away.
   */
  static Buffer open(String position) {
    int retry = RETRY_MS + ThreadLocalRandom.current().nextInt(RETRY_MS);
    return ascii("retry: " + retry + "\n" + idLine(position) + ": open\n\n");
  }

  /** A comment that keeps proxies from closing an idle stream; carries the hub's position like {@link #open}. */
  static Buffer heartbeat(String position) {
    return ascii(idLine(position) + ": hb\n\n");
  }

  static Buffer event(String id, String type, String json) {
    return utf8("id: " + id + "\nevent: " + type + "\ndata: " + json + "\n\n");
  }

  /**
   * Tells a resuming client that its {@code Last-Event-ID} is outside the replay window, so it must refetch
   * what it shows; the stream continues live from {@code position}.
   */
  static Buffer reset(String lastEventId, String position, int replayEvents, int replaySeconds) {
    JsonObject data = new JsonObject().put("reason", "last-event-id-not-in-window").put("lastEventId", lastEventId)
        .put("replayEvents", replayEvents).put("replaySeconds", replaySeconds);
    return utf8(idLine(position) + "event: reset\ndata: " + data.encode() + "\n\n");
  }

  /** A value that may stand on an SSE field line: no CR, LF or NUL. */
  static boolean isLineSafe(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\n' || c == '\r' || c == '\0') return false;
    }
    return true;
  }

  private static String idLine(String position) {
    return position == null ? "" : "id: " + position + "\n";
  }

  private static Buffer ascii(String text) {
    return Buffer.buffer(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static Buffer utf8(String text) {
    return Buffer.buffer(text.getBytes(StandardCharsets.UTF_8));
  }
}
