package surge.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar {@code mvn package} leaves in server/target holds the server and nothing of tools/: every class
 * under {@code surge/} is in a package {@link ArchitectureTest} places in a layer. An IT because it reads the jar,
 * which exists only after {@code package}; it needs no stack.
 */
class ServerJarIT {
  private static final Path JAR = Path.of("server/target/surge.jar");

  @Test
  void theJarHoldsOnlyTheServersPackages() throws IOException {
    assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the integration tier runs after package");
    Set<String> layered = new TreeSet<>();
    ArchitectureTest.LAYERS.forEach(layered::addAll);
    Set<String> packages = new TreeSet<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertEquals("surge.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      jar.stream().map(e -> e.getName())
          .filter(name -> name.startsWith("surge/") && name.endsWith(".class"))
          .forEach(name -> packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.')));
    }
    assertTrue(packages.contains("surge.db"), "no server classes in " + JAR + ": " + packages);
    Set<String> foreign = new TreeSet<>(packages);
    foreign.removeAll(layered);
    assertEquals(Set.of(), foreign, "packages in " + JAR + " that are not the server's (tools belong in tools/)");
  }
}
