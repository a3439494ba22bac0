package surge.server;

import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/** HTTPS on the API's port ({@code tls.*}). */
@Doc("HTTPS on `http.port`.")
public record TlsConfig(
    @Doc("Serve HTTPS on `http.port` with `tls.certFile` and `tls.keyFile`.") boolean enabled,
    @Doc("PEM certificate chain.") String certFile,
    @Doc("PEM private key, PKCS#8 or PKCS#1.") String keyFile,
    @Doc("Offer HTTP/2 through ALPN beside HTTP/1.1.") boolean http2,
    @Doc("A plain-HTTP port answering every request with a 308 to the HTTPS URL; `0` = none.")
    @Range(min = 0, max = 65535) int redirectPort,
    @Doc("`Strict-Transport-Security: max-age` sent over HTTPS; `0` = none. In seconds: the header's own unit.")
    @Range(min = 0, max = 2 * 365 * 86_400) int hstsSeconds) implements Checked {

  @Override
  public void check() {
    if (enabled && (certFile.isBlank() || keyFile.isBlank())) {
      throw ConfigException.keys("tls.certFile", "tls.keyFile", "must name PEM files when tls.enabled is true");
    }
  }
}
