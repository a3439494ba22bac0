package surge.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of the server import only downwards (see the README's layout map), read from the compiled classes.
 *
 * <p>Layers, top first; a package may use its own layer's other packages only where {@link #noCycles} allows, and
 * any layer below it. The benchmark and operator tools are a module of their own (tools/) that depends on the
 * server, so the server cannot use them; {@link ServerJarIT} checks that its jar holds only these packages.
 */
class ArchitectureTest {
  static final List<List<String>> LAYERS = List.of(
      List.of("surge"),
      List.of("surge.management", "surge.demo"),
      List.of("surge.server"),
      List.of("surge.graphql"),
      List.of("surge.stream", "surge.users", "surge.comments", "surge.tags"),
      List.of("surge.articles"),
      List.of("surge.profiles"),
      List.of("surge.ratelimit"),
      List.of("surge.web"),
      List.of("surge.timeline"),
      List.of("surge.auth", "surge.cache", "surge.events"),
      List.of("surge.db", "surge.cluster"),
      List.of("surge.redis"),
      List.of("surge.metrics", "surge.observability", "surge.edge", "surge.resilience"),
      List.of("surge.config"),
      List.of("surge.core"));

  private static JavaClasses server;

  @BeforeAll
  static void importClasses() {
    server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("surge");
  }

  @Test
  void everyPackageOfTheServerHasALayer() {
    List<String> unplaced = new ArrayList<>();
    for (JavaClass c : server) {
      String pkg = c.getPackageName();
      if (LAYERS.stream().noneMatch(layer -> layer.contains(pkg)) && !unplaced.contains(pkg)) {
        unplaced.add(pkg);
      }
    }
    if (!unplaced.isEmpty()) throw new AssertionError("packages with no layer in ArchitectureTest.LAYERS: " + unplaced);
  }

  @Test
  void noPackageUsesALayerAboveIt() {
    for (int i = 1; i < LAYERS.size(); i++) {
      List<String> above = new ArrayList<>();
      for (int j = 0; j < i; j++) above.addAll(LAYERS.get(j));
      noClasses().that().resideInAnyPackage(LAYERS.get(i).toArray(String[]::new))
          .should().dependOnClassesThat().resideInAnyPackage(above.toArray(String[]::new))
          .because("packages import only downwards")
          .check(server);
    }
  }

  /** Configuration is mechanism only (loading, binding, ranges, the key reference): every section lives beside its user. */
  @Test
  void configImportsNothingOfTheApplication() {
    noClasses().that().resideInAPackage("surge.config")
        .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("surge..")
            .and(JavaClass.Predicates.resideOutsideOfPackage("surge.config")))
        .check(server);
  }

  @Test
  void noCycles() {
    slices().matching("surge.(*)..").should().beFreeOfCycles().check(server);
  }
}
