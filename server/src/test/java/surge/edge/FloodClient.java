package surge.edge;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A hostile client process for {@link HostileFloodIT}: holds up to {@code count} connections to 127.0.0.1:{@code port}
 * from the given local addresses, half of them silent and half slowloris (a request head that never ends, a byte now
 * and then), and opens a new one {@code flood.reconnectMs} (5 s) after the node closed one. Bounded in count and time: it stops by itself
 * after {@code seconds} and prints one summary line.
 *
 * <p>{@code java surge.edge.FloodClient PORT FROM[,FROM...] COUNT SECONDS}
 */
public final class FloodClient {
  private static final byte[] HEAD = "GET /api/tags HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] DRIP = "X".getBytes(StandardCharsets.ISO_8859_1);
  /** A connection the node closed is opened again this much later: 20,000 kept up, not an unbounded SYN storm. */
  private static final long RECONNECT_MS = Long.getLong("flood.reconnectMs", 5_000);
  private static final long DRIP_MS = 2_000;

  private FloodClient() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String[] from = args[1].split(",");
    int count = Integer.parseInt(args[2]);
    long end = System.currentTimeMillis() + Long.parseLong(args[3]) * 1000;
    Selector selector = Selector.open();
    long opened = 0;
    long closedByNode = 0;
    long failedToOpen = 0;
    int maxHeld = 0;
    List<Long> due = new ArrayList<>(); // when each missing connection may be opened again
    for (int i = 0; i < count; i++) due.add(0L);
    long nextDrip = System.currentTimeMillis() + DRIP_MS;
    int slot = 0;
    ByteBuffer sink = ByteBuffer.allocate(4096);
    while (System.currentTimeMillis() < end) {
      long now = System.currentTimeMillis();
      for (Iterator<Long> it = due.iterator(); it.hasNext(); ) {
        if (it.next() > now) continue;
        it.remove();
        slot++;
        try {
          SocketChannel ch = SocketChannel.open();
          ch.setOption(StandardSocketOptions.SO_LINGER, 0);
          ch.bind(new InetSocketAddress(from[slot % from.length], 0));
          ch.configureBlocking(false);
          ch.connect(new InetSocketAddress("127.0.0.1", port));
          ch.register(selector, SelectionKey.OP_CONNECT, slot % 2 == 0); // attachment: slowloris or silent
          opened++;
        } catch (IOException e) {
          failedToOpen++;
          due.add(now + RECONNECT_MS);
        }
      }
      selector.select(50);
      for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
        SelectionKey key = it.next();
        it.remove();
        SocketChannel ch = (SocketChannel) key.channel();
        try {
          if (key.isConnectable()) {
            ch.finishConnect();
            if ((Boolean) key.attachment()) ch.write(ByteBuffer.wrap(HEAD));
            key.interestOps(SelectionKey.OP_READ);
          } else if (key.isReadable()) {
            sink.clear();
            if (ch.read(sink) < 0) throw new IOException("closed by the node");
          }
        } catch (IOException closed) {
          closedByNode++;
          key.cancel();
          ch.close();
          due.add(System.currentTimeMillis() + RECONNECT_MS);
        }
      }
      maxHeld = Math.max(maxHeld, selector.keys().size());
      if (System.currentTimeMillis() >= nextDrip) {
        nextDrip += DRIP_MS;
        for (SelectionKey key : selector.keys()) {
          if (key.isValid() && (Boolean) key.attachment() && (key.interestOps() & SelectionKey.OP_READ) != 0) {
            try {
              ((SocketChannel) key.channel()).write(ByteBuffer.wrap(DRIP));
            } catch (IOException closed) {
              // seen as a close on the next read
            }
          }
        }
      }
    }
    for (SelectionKey key : selector.keys()) key.channel().close();
    System.out.println("flood: opened=" + opened + " closedByNode=" + closedByNode + " failedToOpen=" + failedToOpen
        + " maxHeld=" + maxHeld);
  }
}
