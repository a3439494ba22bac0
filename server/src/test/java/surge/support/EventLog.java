package surge.support;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import surge.SurgeConfig;
import surge.events.EventsConfig;

/**
 * Reads the event topics of the stack's Kafka from "now" on, the way a consumer would: every partition of both
 * topics, in partition order, records kept in arrival order. Blocking, for the JUnit thread only.
 */
public final class EventLog implements AutoCloseable {
  /** One record as read: where it was, its key and the envelope. */
  public record Event(String topic, int partition, long offset, String key, String contentType, JsonObject envelope) {
    public String id() {
      return envelope.getString("id");
    }

    public String type() {
      return envelope.getString("type");
    }

    public String subject() {
      return envelope.getString("subject");
    }

    public JsonObject data() {
      return envelope.getJsonObject("data");
    }
  }

  private final KafkaConsumer<String, String> consumer;
  private final List<Event> events = new ArrayList<>();

  /** Starts at the current end of both topics (waits until they exist: the node's relay creates them). */
  public EventLog(SurgeConfig node) {
    EventsConfig config = node.events();
    Properties p = new Properties();
    p.put("bootstrap.servers", node.kafka().bootstrap());
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("enable.auto.commit", "false");
    p.put("isolation.level", "read_committed");
    consumer = new KafkaConsumer<>(p);
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(config.topicUsers(), config.topicArticles())) {
      partitions.addAll(partitionsOf(topic));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve "end" now, not at the first poll
  }

  private List<TopicPartition> partitionsOf(String topic) {
    List<PartitionInfo> infos = Eventually.value("topic " + topic + " exists", Duration.ofSeconds(30),
        () -> consumer.partitionsFor(topic, Duration.ofSeconds(5)), found -> found != null && !found.isEmpty());
    return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
  }

  /** Polls until {@code matching} events satisfy {@code done}, or fails after {@code timeoutMs}. Returns them. */
  public List<Event> await(Predicate<Event> matching, Predicate<List<Event>> done, long timeoutMs) {
    // Each attempt reads for up to 200 ms first, so no pause between attempts.
    return Eventually.value("the expected events", Duration.ofMillis(timeoutMs), Duration.ZERO, () -> {
      poll(200);
      return matching(matching);
    }, done);
  }

  /**
   * Keeps reading for {@code ms} (to catch anything extra that was on its way): a window of time to watch, not a wait
   * for something to happen, so it is no {@link Eventually}.
   */
  public void drain(long ms) {
    long deadline = System.currentTimeMillis() + ms;
    while (System.currentTimeMillis() < deadline) poll(100);
  }

  public List<Event> matching(Predicate<Event> matching) {
    return events.stream().filter(matching).toList();
  }

  /** Events of these subjects (aggregate ids). */
  public static Predicate<Event> about(Set<String> subjects) {
    return e -> subjects.contains(e.subject());
  }

  /** The first occurrence of every event id, in arrival order (what a de-duplicating consumer keeps). */
  public static List<Event> firstOccurrences(List<Event> events) {
    Map<String, Event> first = new LinkedHashMap<>();
    for (Event e : events) first.putIfAbsent(e.id(), e);
    return List.copyOf(first.values());
  }

  /** Events grouped by subject, each group in partition (offset) order. */
  public static Map<String, List<Event>> bySubject(List<Event> events) {
    return events.stream().collect(Collectors.groupingBy(Event::subject, LinkedHashMap::new, Collectors.toList()));
  }

  private void poll(long ms) {
    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(ms))) {
      var header = r.headers().lastHeader("content-type");
      events.add(new Event(r.topic(), r.partition(), r.offset(), r.key(),
          header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8),
          new JsonObject(r.value())));
    }
  }


  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
