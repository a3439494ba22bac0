package surge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import surge.config.ConfigTree;
import surge.config.KeyReference;

/**
 * docs/configuration.md's key reference is rendered from the records ({@link KeyReference}); this fails when the
 * file is out of date. Regenerate with {@code mvn test -Dtest=ConfigurationDocTest -Dconfig.docs.write=true}.
 */
class ConfigurationDocTest {
  private static final Path DOC = Path.of("docs/configuration.md");
  static final String START = "<!-- key reference: generated from the config records by ConfigurationDocTest; edit the @Doc texts -->";
  static final String END = "<!-- end of key reference -->";

  @Test
  void theKeyReferenceIsTheOneTheRecordsRender() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int start = doc.indexOf(START);
    int end = doc.indexOf(END);
    assertTrue(start >= 0 && end > start, DOC + " must hold the markers " + START + " and " + END);
    String rendered = KeyReference.render(SurgeConfig.class,
        ConfigTree.load(Path.of("conf/surge.json"), Map.of(), List.of()).json());
    String expected = doc.substring(0, start + START.length()) + "\n\n" + rendered + doc.substring(end);
    if (Boolean.getBoolean("config.docs.write")) Files.writeString(DOC, expected, StandardCharsets.UTF_8);
    assertEquals(expected, Files.readString(DOC, StandardCharsets.UTF_8), DOC + " is out of date with the config records;"
        + " regenerate it: mvn test -Dtest=ConfigurationDocTest -Dconfig.docs.write=true");
  }

  @Test
  void everyKeyOfTheShippedFileIsInTheReference() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    String rendered = KeyReference.render(SurgeConfig.class,
        ConfigTree.load(Path.of("conf/surge.json"), Map.of(), List.of()).json());
    for (String key : List.of("profile", "db.poolSize", "cluster.kubernetes.serviceDns", "ratelimit.reads", "kafka.bootstrap")) {
      assertTrue(rendered.contains("| `" + key + "` | `" + ConfigTree.envName(key) + "` |"), key);
      assertTrue(doc.contains(ConfigTree.envName(key)), key);
    }
  }
}
