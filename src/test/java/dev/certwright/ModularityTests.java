package dev.certwright;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;

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
}
