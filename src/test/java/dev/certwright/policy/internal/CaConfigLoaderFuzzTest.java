package dev.certwright.policy.internal;

import java.io.ByteArrayInputStream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.certwright.policy.CaConfiguration;

/**
 * Fuzzes the CA configuration loader with arbitrary YAML text. The only outcome besides a configuration is a
 * {@link CaConfigException} (one sentence naming the file and key); anything else, an {@link Error} above all, is a
 * finding. Plain {@code mvn verify} replays the corpus under {@code src/test/resources/dev/certwright/policy/
 * CaConfigLoaderFuzzTestInputs/yaml/}; {@code scripts/fuzz.sh} fuzzes it.
 */
class CaConfigLoaderFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void yaml(byte[] text) {
        try {
            CaConfiguration configuration = CaConfigLoader.parse("fuzz.yml", new ByteArrayInputStream(text));
            // A configuration that loads is usable: every profile names an issuer that exists.
            configuration.profiles().values().forEach(p -> configuration.issuer(p.issuer()).orElseThrow());
        } catch (CaConfigException expected) {
            // the loader's one declared failure
        }
    }
}
