package dev.certwright;

import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModuleDependency;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The module map of docs/architecture.md, enforced: every module is detected, each declares exactly the dependencies
 * the map allows it, uses nothing else and only the other modules' APIs ({@link ApplicationModules#verify()}), and the
 * diagrams in docs/modules are what the code is.
 */
class ModularityTests {

    static final ApplicationModules MODULES = ApplicationModules.of(CertwrightApplication.class);

    /**
     * Each module and the modules it may use: the table of docs/architecture.md, lowest layer first. A new module is a
     * new row here and in that table; a new dependency is a word here and in its package-info.
     */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("x509", Set.of()),
            Map.entry("platform", Set.of("x509")),
            Map.entry("policy", Set.of("x509", "platform")),
            Map.entry("ca", Set.of("x509", "policy", "platform")),
            Map.entry("keys", Set.of("audit", "platform")),
            Map.entry("audit", Set.of("platform")),
            Map.entry("backup", Set.of("platform", "audit")),
            Map.entry("inventory", Set.of("x509", "platform")),
            Map.entry("issuance", Set.of("x509", "policy", "ca", "keys", "inventory", "platform", "audit", "backup")),
            Map.entry("revocation", Set.of("x509", "ca", "inventory", "issuance", "platform", "backup")),
            Map.entry("tls", Set.of("issuance", "inventory", "platform", "x509")),
            Map.entry("renewal", Set.of("x509", "policy", "inventory", "issuance", "platform", "audit")),
            Map.entry("delivery", Set.of("x509", "inventory", "issuance", "platform", "audit")),
            Map.entry("deploy", Set.of("x509", "keys", "inventory", "issuance", "platform", "audit")),
            Map.entry("upstream", Set.of("x509", "policy", "keys", "issuance", "deploy", "inventory", "platform", "audit")), // after deploy: WebrootChallenges
            Map.entry("notify", Set.of("x509", "inventory", "issuance", "renewal", "deploy", "platform", "audit")),
            Map.entry("acme", Set.of("x509", "policy", "keys", "issuance", "inventory", "platform", "audit")),
            Map.entry("discovery", Set.of("x509", "platform", "inventory", "audit", "deploy")),
            Map.entry("api", Set.of("x509", "platform", "policy", "ca", "audit", "inventory", "issuance", "renewal", "delivery", "deploy",
                    "notify", "acme", "backup", "discovery")),
            Map.entry("dashboard", Set.of("x509", "platform", "policy", "audit", "inventory", "issuance", "revocation", "renewal", "delivery",
                    "deploy", "acme", "upstream", "discovery")));

    @Test
    void everyModuleOfTheArchitectureIsDetected() {
        assertThat(MODULES.stream().map(ApplicationModule::getIdentifier).map(Object::toString)).containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
    }

    @Test
    void everyModuleDeclaresTheDependenciesTheMapAllowsIt() {
        assertAll(MODULES.stream().map(module -> (Executable) () -> {
            String name = module.getIdentifier().toString();
            org.springframework.modulith.ApplicationModule declared = Class.forName(module.getBasePackage().getName() + ".package-info")
                    .getAnnotation(org.springframework.modulith.ApplicationModule.class);
            assertThat(declared).as("%s has an @ApplicationModule package-info", name).isNotNull();
            assertThat(new TreeSet<>(Arrays.asList(declared.allowedDependencies())))
                    .as("allowedDependencies of %s (an open module is not allowed)", name).isEqualTo(new TreeSet<>(ALLOWED.get(name)));
        }));
    }

    @Test
    void everyModuleUsesOnlyWhatTheMapAllowsIt() {
        assertAll(MODULES.stream().map(module -> (Executable) () -> {
            String name = module.getIdentifier().toString();
            Set<String> used = module.getDirectDependencies(MODULES).stream().map(ApplicationModuleDependency::getTargetModule)
                    .map(target -> target.getIdentifier().toString()).collect(Collectors.toCollection(TreeSet::new));
            assertThat(used).as("modules %s uses", name).isSubsetOf(ALLOWED.get(name));
        }));
    }

    @Test
    void theMapHasNoCycles() {
        // Depth-first from each module: a module reachable from itself through allowed dependencies is a cycle.
        for (String start : ALLOWED.keySet()) {
            java.util.Deque<String> open = new java.util.ArrayDeque<>(ALLOWED.get(start));
            Set<String> seen = new java.util.HashSet<>();
            while (!open.isEmpty()) {
                String next = open.pop();
                assertThat(next).as("%s may reach itself", start).isNotEqualTo(start);
                assertThat(ALLOWED).as("%s may use %s, which is not in the map", start, next).containsKey(next);
                if (seen.add(next)) {
                    open.addAll(ALLOWED.get(next));
                }
            }
        }
    }

    @Test
    void modulesRespectTheirAllowedDependencies() {
        MODULES.verify();
    }

    @Test
    void caKnowsNoDatabaseAndNoInventory() {
        ApplicationModule ca = MODULES.getModuleByName("ca").orElseThrow();
        assertThat(ca.getBootstrapDependencies(MODULES).map(ApplicationModule::getIdentifier).map(Object::toString))
                .doesNotContain("inventory", "issuance");
    }

    @Test
    void keysIsAModuleWithoutDatabaseUsedInsteadOfTheSigner() {
        ApplicationModule keys = MODULES.getModuleByName("keys").orElseThrow();
        assertThat(keys.getBootstrapDependencies(MODULES).map(ApplicationModule::getIdentifier).map(Object::toString))
                .doesNotContain("inventory", "issuance", "acme", "deploy");
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.certwright");
        noClasses().that().resideInAnyPackage("dev.certwright.keys..", "dev.certwright.ca..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.jdbc..", "javax.sql..").check(classes);
        // The front ends take their secrets from keys, not from the signer.
        noClasses().that().resideInAnyPackage("dev.certwright.acme..", "dev.certwright.deploy..")
                .should().dependOnClassesThat().resideInAPackage("dev.certwright.ca..").check(classes);
    }

    @Test
    void theOnHostKeyMakerReturnsAKeyAndDoesNotCallBackIntoIssuance() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.certwright");
        noClasses().that().implement(dev.certwright.issuance.OnHostKeys.class)
                .should().dependOnClassesThat().belongToAnyOf(dev.certwright.issuance.ManagedCertificateService.class,
                        dev.certwright.issuance.CertificateIssuance.class).check(classes);
    }

    /**
     * Writes the module canvases, the component diagram of all modules (C4, PlantUML) and one per module into
     * docs/modules, so that a change of the map shows in the diff of the commit that makes it.
     */
    @Test
    void writesTheModuleDocumentation() throws Exception {
        new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder("docs/modules"))
                .writeModulesAsPlantUml()
                .writeIndividualModulesAsPlantUml()
                .writeModuleCanvases();
        assertThat(java.nio.file.Path.of("docs/modules/components.puml")).exists();
        // The Documenter writes relationships in no fixed order: sorted, a file changes only when the map does.
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("docs/modules"))) {
            for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".puml")).toList()) {
                java.util.List<String> lines = new java.util.ArrayList<>(java.nio.file.Files.readAllLines(file));
                java.util.List<Integer> rels = java.util.stream.IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith("Rel(")).boxed().toList();
                java.util.List<String> sorted = rels.stream().map(lines::get).sorted().toList();
                for (int i = 0; i < rels.size(); i++) {
                    lines.set(rels.get(i), sorted.get(i));
                }
                java.nio.file.Files.write(file, lines);
            }
        }
    }
}
