package surge.edge;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/2 client that writes frames as told, with none of a real client's manners: no stream limit, no flow
 * control, no waiting for answers. What the node sends back is recorded: resets by error code, GOAWAY, response heads.
 */
final class H2Raw implements AutoCloseable {
  private static final EventLoopGroup GROUP = new NioEventLoopGroup(1);
  private final Channel channel;
  private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
  private final int port;
  final ConcurrentLinkedQueue<Http2Error> resets = new ConcurrentLinkedQueue<>();
  final AtomicInteger responses = new AtomicInteger();
  final ConcurrentLinkedQueue<String> statuses = new ConcurrentLinkedQueue<>();
  final CompletableFuture<Http2Error> goAway = new CompletableFuture<>();
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** Completes once the node's SETTINGS arrived and were acknowledged: Netty applies its own limits on that ack. */
  final CompletableFuture<Void> settled = new CompletableFuture<>();
  private int nextStream = 1;

  private H2Raw(Channel channel, int port) {
    this.channel = channel;
    this.port = port;
    channel.closeFuture().addListener(f -> closed.complete(null));
  }

  /** A TLS connection that chose h2 through ALPN, preface and settings sent. */
  static H2Raw connect(int port) throws Exception {
    SslContext tls = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
        .build();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    H2Raw[] self = new H2Raw[1];
    Bootstrap bootstrap = new Bootstrap().group(GROUP).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            self[0] = new H2Raw(ch, port);
            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", port));
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof SslHandshakeCompletionEvent done) {
                  if (!done.isSuccess()) {
                    ready.completeExceptionally(done.cause());
                    return;
                  }
                  // the preface first, before anything read from the node can make this side write (a SETTINGS ack)
                  ctx.write(Http2CodecUtil.connectionPrefaceBuf());
                  new DefaultHttp2FrameWriter().writeSettings(ctx, new Http2Settings(), ctx.newPromise());
                  ctx.flush();
                  ready.complete(null);
                }
              }

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                ByteBuf in = (ByteBuf) msg;
                try {
                  reader.readFrame(ctx, in, self[0].listener());
                } finally {
                  in.release();
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        });
    Channel channel = bootstrap.connect("127.0.0.1", port).sync().channel();
    ready.get(10, TimeUnit.SECONDS);
    String protocol = channel.pipeline().get(SslHandler.class).applicationProtocol();
    if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) throw new IllegalStateException("ALPN chose " + protocol);
    return self[0];
  }

  private Http2FrameAdapter listener() {
    return new Http2FrameAdapter() {
      @Override
      public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        resets.add(Http2Error.valueOf(errorCode));
      }

      @Override
      public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        goAway.complete(Http2Error.valueOf(errorCode));
      }

      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream) {
        if (headers.status() != null) {
          responses.incrementAndGet();
          statuses.add(headers.status().toString());
        }
      }

      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                short weight, boolean exclusive, int padding, boolean endStream) {
        onHeadersRead(ctx, streamId, headers, padding, endStream);
      }

      @Override
      public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        writer.writeSettingsAck(ctx, ctx.newPromise());
        ctx.flush();
        settled.complete(null);
      }

      @Override
      public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        return data.readableBytes() + padding;
      }
    };
  }

  /** The head of a GET to {@code path}. */
  Http2Headers get(String path) {
    return new DefaultHttp2Headers().method("GET").scheme("https").authority("localhost:" + port).path(path);
  }

  /** Opens a stream with {@code headers}; {@code end}: no body follows. Returns its id. */
  int headers(Http2Headers headers, boolean end) {
    int id = nextStream;
    nextStream += 2;
    onLoop(ctx -> writer.writeHeaders(ctx, id, headers, 0, end, channel.newPromise()));
    return id;
  }

  /** {@code n} streams opened and cancelled at once, the rapid-reset pattern (CVE-2023-44487), in one write. */
  /**
   * {@code n} streams, each opened with {@code head} (no body follows, the stream stays open on the node) and reset at
   * once. Netty counts only resets of streams still open: a stream the node had already answered and closed is
   * ignored, so heads that end their stream would make the count depend on how fast the node answers.
   */
  void rapidReset(int n, Http2Headers head) {
    onLoop(ctx -> {
      for (int i = 0; i < n && channel.isActive(); i++) {
        int id = nextStream;
        nextStream += 2;
        writer.writeHeaders(ctx, id, head, 0, false, channel.newPromise());
        writer.writeRstStream(ctx, id, Http2Error.CANCEL.code(), channel.newPromise());
      }
      ctx.flush();
    });
  }

  void reset(int stream) {
    onLoop(ctx -> writer.writeRstStream(ctx, stream, Http2Error.CANCEL.code(), channel.newPromise()));
  }

  void windowUpdate(int stream, int increment) {
    onLoop(ctx -> writer.writeWindowUpdate(ctx, stream, increment, channel.newPromise()));
  }

  void flush() {
    channel.eventLoop().execute(channel::flush);
  }

  boolean open() {
    return channel.isActive();
  }

  long resets(Http2Error code) {
    return resets.stream().filter(code::equals).count();
  }

  private void onLoop(java.util.function.Consumer<ChannelHandlerContext> write) {
    ChannelHandlerContext ctx = channel.pipeline().lastContext();
    try {
      channel.eventLoop().submit(() -> write.accept(ctx)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5_000);
  }
}
