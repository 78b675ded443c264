package dev.certwright.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.certwright.x509.KeySpec;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.IssuerDefinition;

class CaConfigLoaderTest {

    static final Path DEV = Path.of("ca-config/dev.yml");

    @Test
    void shippedDevConfigDefinesRootIntermediateProfilesAndPolicy() {
        CaConfiguration config = CaConfigLoader.load(DEV);
        assertThat(config.issuers()).extracting(IssuerDefinition::name).containsExactly("dev-root", "dev-issuing");
        assertThat(config.issuers()).allMatch(i -> i.keyAlgorithm() == KeySpec.EC_P256);
        assertThat(config.issuer("dev-issuing").orElseThrow().parent()).isEqualTo("dev-root");
        assertThat(config.profiles()).containsKeys("tls-server", "tls-client", "short-lived");
        assertThat(config.profile("tls-server").orElseThrow().maxValidity()).isEqualTo(Duration.ofDays(90));
        assertThat(config.profile("tls-server").orElseThrow().extendedKeyUsages()).containsExactly("serverAuth");
        assertThat(config.profile("tls-client").orElseThrow().extendedKeyUsages()).containsExactly("clientAuth");
        assertThat(config.profile("short-lived").orElseThrow().maxValidity()).isEqualTo(Duration.ofHours(24));
        assertThat(config.profile("short-lived").orElseThrow().minValidity()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.policy().dnsPatterns()).containsExactly("localhost", "*.test", "*.internal");
    }

    /** Each broken line yields one sentence that names the key. */
    @ParameterizedTest(name = "{0}: {1} → mentions {2}")
    @CsvSource(delimiter = '|', value = {
            "maxValidity    | 'maxValidity: P90D' | 'maxValidity: soon'                | profiles.tls-server.maxValidity must be an ISO-8601 duration",
            "keyAlgorithm   | 'keyAlgorithm: EC-P256\n    validity: P3650D' | 'keyAlgorithm: EC-P999\n    validity: P3650D' | issuers.dev-root.keyAlgorithm has unknown key algorithm 'EC-P999'",
            "parent         | 'parent: dev-root'  | 'parent: nowhere'                  | issuers.dev-issuing.parent names 'nowhere'",
            "eku            | 'extendedKeyUsages: [clientAuth]' | 'extendedKeyUsages: [clientAuthh]' | profiles.tls-client.extendedKeyUsages has 'clientAuthh'",
            "ip range       | '\"127.0.0.0/8\"'   | '\"127.0.0.0/33\"'                 | policy.ipRanges entry '127.0.0.0/33' has a prefix length outside 0..32",
            "unknown key    | 'minRsaBits: 2048'  | 'minRsaBitz: 2048'                 | policy.minRsaBitz is not a known key",
            "issuer of prof | 'issuer: dev-issuing\n    extendedKeyUsages: [serverAuth]\n    minValidity: PT1H' | 'issuer: ghost\n    extendedKeyUsages: [serverAuth]\n    minValidity: PT1H' | profiles.tls-server.issuer names 'ghost'",
            "min over max   | 'minValidity: PT1M' | 'minValidity: P2D'                 | profiles.short-lived.minValidity must not exceed maxValidity",
            "subject        | 'subject: \"CN=Certwright Dev Root CA,O=Certwright Development\"' | 'subject: \"not a dn\"' | issuers.dev-root.subject is not a valid X.500 name",
    })
    void brokenConfigNamesTheKey(String what, String original, String broken, String expected) throws Exception {
        String text = Files.readString(DEV);
        String replaced = text.replaceFirst(java.util.regex.Pattern.quote(original.replace("\\n", "\n")),
                java.util.regex.Matcher.quoteReplacement(broken.replace("\\n", "\n")));
        assertThat(replaced).as("the test's edit applies").isNotEqualTo(text);
        assertThatThrownBy(() -> CaConfigLoader.parse("dev.yml", new ByteArrayInputStream(replaced.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(CaConfigException.class)
                .hasMessageStartingWith("dev.yml: ")
                .hasMessageContaining(expected);
    }

    @Test
    void invalidYamlSaysWhichLine() {
        assertThatThrownBy(() -> CaConfigLoader.parse("x.yml", new ByteArrayInputStream("issuers: [a, b\nprofiles: {}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(CaConfigException.class).hasMessageMatching("x.yml: is not valid YAML at line \\d+ .*");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> CaConfigLoader.load(Path.of("no/such.yml")))
                .isInstanceOf(CaConfigException.class).hasMessageContaining("certwright.ca-config").hasMessageContaining("does not exist");
    }
}
