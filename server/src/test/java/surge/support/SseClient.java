package surge.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events test client: opens a stream with Vert.x's HttpClient and parses what arrives into
 * {@link Frame}s (one per blank-line-terminated block) that the JUnit thread takes with timeouts. Its own
 * HttpClient (one connection), so {@link #close()} really closes the stream's TCP connection.
 */
public final class SseClient implements AutoCloseable {
  /** One SSE block: its fields as sent (null when absent); {@code comments} joins the block's comment lines. */
  public record Frame(String id, String event, String data, String retry, String comments) {
    public boolean isEvent() {
      return data != null;
    }

    public JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final HttpClient http;
  private final HttpClientResponse response;
  private final String errorBody;
  private final BlockingQueue<Frame> frames;
  private final CompletableFuture<String> ended;

  private SseClient(HttpClient http, HttpClientResponse response, String errorBody, BlockingQueue<Frame> frames,
                    CompletableFuture<String> ended) {
    this.http = http;
    this.response = response;
    this.errorBody = errorBody;
    this.frames = frames;
    this.ended = ended;
  }

  /** Opens {@code path} with {@code Authorization: Token <token>} (if any) and {@code Last-Event-ID} (if any). */
  public static SseClient open(Vertx vertx, int port, String path, String token, String lastEventId) {
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(path).putHeader("Accept", "text/event-stream");
    if (token != null) options.putHeader("Authorization", "Token " + token);
    if (lastEventId != null) options.putHeader("Last-Event-ID", lastEventId);
    BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    CompletableFuture<String> ended = new CompletableFuture<>();
    Parser parser = new Parser(frames);
    try {
      HttpClientResponse response = http.request(options).compose(request -> request.send()).map(r -> {
        // handlers are set in the same turn the head arrives, before any chunk is handed over
        r.handler(parser::feed);
        r.endHandler(v -> ended.complete("end"));
        r.exceptionHandler(e -> ended.complete("exception: " + e));
        return r;
      }).await(10, TimeUnit.SECONDS);
      String body = null;
      if (response.statusCode() != 200) {
        body = ended.thenApply(x -> parser.raw()).get(10, TimeUnit.SECONDS);
      }
      return new SseClient(http, response, body, frames, ended);
    } catch (Exception e) {
      http.close();
      throw new AssertionError("could not open " + path + ": " + e, e);
    }
  }

  public static SseClient open(Vertx vertx, int port, String token) {
    return open(vertx, port, "/api/stream", token, null);
  }

  public int status() {
    return response.statusCode();
  }

  public String header(String name) {
    return response.getHeader(name);
  }

  /** The body of a non-200 answer. */
  public String errorBody() {
    return errorBody;
  }

  /** The next frame of any kind (event, comment, retry). */
  public Frame nextFrame(Duration timeout) {
    try {
      Frame frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (frame == null) throw new AssertionError("no frame within " + timeout + (ended.isDone() ? " (stream " + ended.join() + ")" : ""));
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next frame with data (an event), skipping comments such as heartbeats. */
  public Frame nextEvent(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) throw new AssertionError("no event within " + timeout + (ended.isDone() ? " (stream " + ended.join() + ")" : ""));
      Frame frame = nextFrame(Duration.ofNanos(left));
      if (frame.isEvent()) return frame;
    }
  }

  /** Fails if an event arrives within {@code quiet}. */
  public void expectNoEvent(Duration quiet) {
    long deadline = System.nanoTime() + quiet.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return;
        Frame frame = frames.poll(left, TimeUnit.NANOSECONDS);
        if (frame != null && frame.isEvent()) throw new AssertionError("unexpected event " + frame);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** How the response finished ("end" for a clean end, "exception: …" otherwise), or null if it is still open after {@code timeout}. */
  public String awaitEnd(Duration timeout) {
    try {
      return ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      return null;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    try {
      http.close().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("client did not close in 10 s", e);
    }
  }

  /** Splits the byte stream into blocks at blank lines (LF, CRLF or CR line ends), whatever the chunking. */
  static final class Parser {
    private final BlockingQueue<Frame> out;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder all = new StringBuilder();
    private String id;
    private String event;
    private StringBuilder data;
    private String retry;
    private StringBuilder comments;

    Parser(BlockingQueue<Frame> out) {
      this.out = out;
    }

    synchronized void feed(Buffer chunk) {
      String text = chunk.toString(StandardCharsets.UTF_8);
      if (all.length() < 1 << 16) all.append(text);
      pending.append(text);
      int end;
      while ((end = lineEnd()) >= 0) {
        String line = pending.substring(0, end);
        int skip = pending.charAt(end) == '\r' && end + 1 < pending.length() && pending.charAt(end + 1) == '\n' ? 2 : 1;
        pending.delete(0, end + skip);
        line(line);
      }
    }

    synchronized String raw() {
      return all.toString();
    }

    private int lineEnd() {
      for (int i = 0; i < pending.length(); i++) {
        char c = pending.charAt(i);
        if (c == '\n') return i;
        // a CR at the very end may be the first half of CRLF: wait for more
        if (c == '\r' && i + 1 < pending.length()) return i;
      }
      return -1;
    }

    private void line(String line) {
      if (line.isEmpty()) {
        dispatch();
        return;
      }
      if (line.startsWith(":")) {
        if (comments == null) comments = new StringBuilder();
        else comments.append('\n');
        comments.append(line.substring(1).trim());
        return;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) value = value.substring(1);
      switch (field) {
        case "id" -> id = value;
        case "event" -> event = value;
        case "retry" -> retry = value;
        case "data" -> {
          if (data == null) data = new StringBuilder();
          else data.append('\n');
          data.append(value);
        }
        default -> { }
      }
    }

    private void dispatch() {
      if (id != null || event != null || data != null || retry != null || comments != null) {
        out.add(new Frame(id, event, data == null ? null : data.toString(), retry, comments == null ? null : comments.toString()));
      }
      id = null;
      event = null;
      data = null;
      retry = null;
      comments = null;
    }
  }
}
