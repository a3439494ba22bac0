package surge.server;

import java.util.List;
import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/** The API's HTTP server ({@code http.*}); what a client may cost the node is {@code edge.*}. */
@Doc("The API's HTTP server. What a client may cost the node is `edge.*` ([edge.md](edge.md)).")
public record HttpConfig(
    @Doc("Interface the API binds.") String host,
    @Doc("Port of the API; `0` asks the OS for a free one (the test suite's nodes).") @Range(min = 0, max = 65535) int port,
    @Doc("HTTP verticle instances; `0` = one per event loop (2 × cores).") @Range(min = 0, max = 1024) int instances,
    @Doc("Larger request bodies get 413.") @Range(min = 1024, max = 64 << 20) int bodyLimitBytes,
    @Doc("Allowed CORS origins, comma-separated, `*` for any (tokens travel in a header, so no credentials are needed).")
    List<String> corsOrigins,
    @Doc("Larger `limit` values of a list are clamped to this.") @Range(min = 1, max = 1000) int maxPageSize,
    @Doc("`s-maxage` of anonymous GET responses under `/api`: how long shared caches (CDN, proxy) may keep them; browsers"
        + " revalidate every time. `0` sends `public, no-cache`. In seconds: the header's own unit.")
    @Range(min = 0, max = 86_400) int cacheMaxAgeSeconds,
    @Doc("Answer CORS requests with `Access-Control-Allow-Credentials: true`; refused together with origin `*` (list the"
        + " origins).") boolean corsCredentials,
    @Doc("Larger request headers (all of them together) get 431.") @Range(min = 1024, max = 1 << 20) int maxHeaderBytes,
    @Doc("A longer request line gets 414.") @Range(min = 256, max = 1 << 20) int maxUriBytes,
    @Doc("A request whose response has not started after this long gets 503 with `Retry-After` (streams are not cut);"
        + " `0` = none.") @Range(min = 0, max = 3_600_000) int requestTimeoutMs) implements Checked {

  @Override
  public void check() {
    if (corsCredentials && corsOrigins.contains("*")) {
      throw ConfigException.key("http.corsCredentials", "cannot be true while http.corsOrigins allows any origin (*):"
          + " list the origins that may send credentials");
    }
  }
}
