package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.TestDatabase;

/** The foundation end to end on the embedded H2 database (the default of scripts/run.sh). */
class H2IssuanceIT extends IssuanceEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }

    @Test
    void invalidCaConfigurationStopsStartupWithOneSentenceNamingTheKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("broken.yml");
        Files.writeString(config, Files.readString(CertwrightProcess.PROJECT.resolve("ca-config/dev.yml")).replace("maxValidity: P90D", "maxValidity: soon"));
        try (CertwrightProcess broken = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                .arg("--certwright.ca-config=" + config).noWait())) {
            assertThat(broken.awaitExit(Duration.ofSeconds(90))).isNotZero();
            assertThat(broken.log()).contains("APPLICATION FAILED TO START")
                    .contains(config + ": profiles.tls-server.maxValidity must be an ISO-8601 duration such as P90D or PT24H, not 'soon'");
        }
    }

    /**
     * The jar runs with Spring AOT's bean definitions (decision 64), which settle at build time which actuator endpoints
     * exist and that there is no separate management port: asking for either at run time stops the start with one
     * sentence, instead of being silently ignored.
     */
    @Test
    void settingsThatTheAotBuildSettledStopStartupWithOneSentence(@TempDir Path dir) throws Exception {
        try (CertwrightProcess refused = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("exposure"), TestDatabase.h2())
                .arg("--management.endpoints.web.exposure.include=health,env").noWait())) {
            assertThat(refused.awaitExit(Duration.ofSeconds(90))).isNotZero();
            assertThat(refused.log()).contains("APPLICATION FAILED TO START")
                    .contains("management.endpoints.web.exposure.include names [env], which this build does not have");
        }
        try (CertwrightProcess refused = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("port"), TestDatabase.h2())
                .arg("--management.server.port=" + CertwrightProcess.freePort()).noWait())) {
            assertThat(refused.awaitExit(Duration.ofSeconds(90))).isNotZero();
            assertThat(refused.log()).contains("APPLICATION FAILED TO START").contains("management.server.port is not supported by this build");
        }
    }
}
