package dev.certwright;

import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The module rules of docs/architecture.md: each module uses only the modules it may, and only their APIs. */
class ModularityTests {

    static final ApplicationModules MODULES = ApplicationModules.of(CertwrightApplication.class);

    @Test
    void everyModuleOfTheArchitectureIsDetected() {
        assertThat(MODULES.stream().map(ApplicationModule::getIdentifier).map(Object::toString))
                .contains("x509", "platform", "policy", "ca", "inventory", "issuance", "audit", "api", "tls", "dashboard", "revocation", "acme");
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
}
