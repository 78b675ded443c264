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
}
