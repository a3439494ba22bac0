package surge.events;

import io.vertx.core.Future;
import java.util.List;

/**
 * A point in a relay round where tests step in: after Kafka acknowledged {@code published}, before they are deleted
 * (e.g. to kill the relay's session there). Production uses {@link #NONE}.
 */
public interface RelayHooks {
  RelayHooks NONE = (shard, published) -> Future.succeededFuture();

  Future<Void> afterPublish(String shard, List<OutboxRow> published);
}
