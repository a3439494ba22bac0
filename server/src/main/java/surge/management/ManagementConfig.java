package surge.management;

import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/**
 * The management server (see {@link ManagementVerticle}): operator endpoints on a port of their own, apart from the
 * API, loopback-only unless told otherwise ({@code management.*}).
 */
@Doc("The management server: operator endpoints on a port of their own, apart from the API.")
public record ManagementConfig(
    @Doc("Run the management server on this node (`GET /metrics`, `/admin`).") boolean enabled,
    @Doc("Interface it binds; loopback by default (set an interface Prometheus can reach).") String host,
    @Doc("Its port; `0` = any free port (the test suite's nodes).") @Range(min = 0, max = 65535) int port,
    @Doc("Bearer token of the `/admin` endpoints (runtime scaling), 16+ characters; empty = no `/admin` (404).")
    String token) implements Checked {

  @Override
  public void check() {
    if (!token.isEmpty() && token.length() < 16) {
      throw ConfigException.key("management.token", "must have at least 16 characters, or be empty to turn /admin off");
    }
    if (enabled && host.isBlank()) {
      throw ConfigException.key("management.host", "must name an interface when management.enabled is true");
    }
  }
}
