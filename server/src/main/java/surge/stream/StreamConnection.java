package surge.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One open stream: its request, its user and the authors it follows. Kept small on purpose (a node holds
 * tens of thousands); touched only on its hub's event loop.
 */
final class StreamConnection extends HubSlot {
  final HttpServerRequest request;
  final long user;
  long[] followees;
  /**
   * Ring position at which the stream went live: events before it reached it by replay (or were skipped by a
   * reset), so a fan-out still in progress for one of them must pass it by.
   */
  long from;

  StreamConnection(HttpServerRequest request, long user, long[] followees) {
    this.request = request;
    this.user = user;
    this.followees = followees;
  }

  /**
   * Writes a frame unless the client has stopped reading: false when the send buffer already holds
   * {@code stream.maxBufferBytes} unsent bytes. Checked before each write, so a stream never buffers more than
   * that plus one frame.
   */
  boolean offer(Buffer frame) {
    HttpServerResponse response = request.response();
    if (response.writeQueueFull()) return false;
    response.write(frame);
    return true;
  }
}
