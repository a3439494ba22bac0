package surge.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The label mappings that keep HTTP series bounded. */
class MetricsTest {
  @Test
  void statusCodesBecomeClasses() {
    assertEquals("2xx", Metrics.statusClass("200"));
    assertEquals("4xx", Metrics.statusClass("429"));
    assertEquals("5xx", Metrics.statusClass("503"));
  }

  @Test
  void routeTemplatesFromWhatVertxWebReports() {
    assertEquals("/health/live", Metrics.route("/health/live"));
    assertEquals("/api/articles/:slug", Metrics.route("/api/>/articles/:slug"));
    // a failed request walks the mounts again for failure handlers
    assertEquals("/api/articles/:slug", Metrics.route("/api/>/articles/:slug>/api/"));
  }

  @Test
  void unmatchedRequestsCollapse() {
    assertEquals(Metrics.UNMATCHED, Metrics.route(""));
    assertEquals(Metrics.UNMATCHED, Metrics.route(null));
    assertEquals("/api/*", Metrics.route("/api/"));
  }
}
