package surge.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.articles.Slugs;
import surge.support.Client;
import surge.support.EventLog;
import surge.support.TestNode;

/** GraphQL writes go through the services' outbox like REST's: their domain events reach Kafka, in order. */
@ExtendWith(VertxExtension.class)
class GraphqlEventsIT {
  static TestNode.Started node;
  static Client client;
  static EventLog log;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx);
    client = new Client(vertx, node.port());
    log = new EventLog(node.config());
  }

  @AfterAll
  static void stop() {
    if (log != null) log.close();
    if (node != null) node.stop();
  }

  @Test
  void mutationsWriteTheirOutboxEvents() {
    Gql gql = new Gql(client);
    String token = client.register("gq-e").getString("token");
    String slug = gql.data(token, "mutation { createArticle(input: {title: \"Events " + Client.unique("e")
        + "\", description: \"d\", body: \"b\"}) { slug } }", null).getJsonObject("createArticle").getString("slug");
    String fan = client.register("gq-e2").getString("token");
    gql.data(fan, "mutation { favorite(slug: \"" + slug + "\") { favorited } }", null);
    gql.data(fan, "mutation { addComment(slug: \"" + slug + "\", body: \"hi\") { id } }", null);
    gql.data(token, "mutation { deleteArticle(slug: \"" + slug + "\") }", null);

    String articleId = Long.toString(Slugs.idOf(slug).getAsLong());
    List<EventLog.Event> events = EventLog.firstOccurrences(
        log.await(EventLog.about(Set.of(articleId)), seen -> EventLog.firstOccurrences(seen).size() >= 4, 30_000));
    assertEquals(List.of("surge.article.created", "surge.article.favorited", "surge.comment.added", "surge.article.deleted"),
        events.stream().map(EventLog.Event::type).toList(), events.toString());
    JsonObject created = events.get(0).envelope();
    assertEquals(articleId, created.getString("subject"));
  }
}
