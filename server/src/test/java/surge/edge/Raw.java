package surge.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Plain sockets for the hostile-client tests: what a misbehaving client sends, byte by byte, from a chosen address. */
final class Raw {
  private Raw() {}

  /** A connection to the node on 127.0.0.1:{@code port} from {@code from} (e.g. 127.0.0.2), nothing sent yet. */
  static Socket connect(String from, int port) throws IOException {
    Socket socket = new Socket();
    socket.setSoLinger(true, 0); // the test's own sockets must not pile up in TIME_WAIT
    socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 15_000); // a flood may cost a SYN a retry or two
    return socket;
  }

  static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * Whether the node closed {@code socket} within {@code ms}: reads (discarding any answer) until end of stream or a
   * reset. False when the connection is still open then.
   */
  static boolean closedWithin(Socket socket, long ms) throws IOException {
    long deadline = System.currentTimeMillis() + ms;
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) return false;
      socket.setSoTimeout((int) Math.max(1, left));
      try {
        if (in.read(buffer) < 0) return true;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException reset) {
        return true;
      }
    }
  }

  /** Whether the node has closed {@code socket} already (looked at without waiting). */
  static boolean closedNow(Socket socket) throws IOException {
    return closedWithin(socket, 50);
  }

  /** An ordinary client's answer and how long it took. */
  record Answer(int status, String head, long millis) {}

  /** One request on a new connection ({@code Connection: close}), read to the end. */
  static Answer get(String from, int port, String path) throws IOException {
    return get(from, port, path, "");
  }

  /** The same with extra header lines ({@code "Name: value\r\n"} each). */
  static Answer get(String from, int port, String path, String headers) throws IOException {
    long start = System.nanoTime();
    try (Socket socket = connect(from, port)) {
      send(socket, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "Connection: close\r\n\r\n");
      socket.setSoTimeout(30_000);
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int status = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
      int end = text.indexOf("\r\n\r\n");
      return new Answer(status, end < 0 ? text : text.substring(0, end), (System.nanoTime() - start) / 1_000_000);
    }
  }

  /** Open descriptors of this process (the test JVM, where in-process nodes run). */
  static int openFiles() {
    try (var entries = Files.list(Path.of("/proc/self/fd"))) {
      return (int) entries.count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void closeAll(List<Socket> sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing what the node may have closed already
      }
    }
  }
}
