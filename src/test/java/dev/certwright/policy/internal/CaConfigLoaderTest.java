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
import dev.certwright.policy.IssuerSource;
import dev.certwright.policy.KeyStoreDefinition;

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

    static final String PROFILES_AND_POLICY = """
            profiles:
              p:
                issuer: %s
                extendedKeyUsages: [serverAuth]
                maxValidity: P30D
            policy:
              keyAlgorithms: [EC-P256]
            """;

    static CaConfiguration parse(String issuersAndMore, String profileIssuer) {
        return CaConfigLoader.parse("/etc/certwright/ca.yml",
                new ByteArrayInputStream((issuersAndMore + PROFILES_AND_POLICY.formatted(profileIssuer)).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void issuersComeFromEachSource() {
        CaConfiguration config = parse("""
                keyStore:
                  type: pkcs11
                  library: /bin/sh
                  tokenLabel: certwright
                  pinEnv: HSM_PIN
                  kek: token
                issuers:
                  corp-root:
                    source: import
                    certificate: root/ca.pem
                    key: /secure/ca.key
                    passphraseEnv: ROOT_KEY_PASS
                  corp-p12:
                    source: import
                    pkcs12: p12/ca.p12
                    passphraseEnv: P12_PASS
                  corp-issuing:
                    source: external
                    subject: "CN=Corp Issuing,O=Corp"
                    keyAlgorithm: EC-P384
                    pathLength: 0
                  corp-team:
                    parent: corp-root
                    subject: "CN=Team,O=Corp"
                    keyAlgorithm: EC-P256
                    validity: P365D
                """, "corp-issuing");
        assertThat(config.keyStore()).isEqualTo(new KeyStoreDefinition(KeyStoreDefinition.Type.PKCS11, Path.of("/bin/sh"),
                "certwright", null, "HSM_PIN", KeyStoreDefinition.KekLocation.TOKEN));
        IssuerDefinition root = config.issuer("corp-root").orElseThrow();
        assertThat(root.source()).isEqualTo(IssuerSource.IMPORT);
        assertThat(root.files()).as("relative paths are taken from the configuration file's folder")
                .isEqualTo(new IssuerDefinition.ImportFiles(Path.of("/etc/certwright/root/ca.pem"), Path.of("/secure/ca.key"), null, "ROOT_KEY_PASS"));
        assertThat(root.subject()).as("an import's subject is its certificate's").isNull();
        assertThat(config.issuer("corp-p12").orElseThrow().files().pkcs12()).isEqualTo(Path.of("/etc/certwright/p12/ca.p12"));
        IssuerDefinition external = config.issuer("corp-issuing").orElseThrow();
        assertThat(external.source()).isEqualTo(IssuerSource.EXTERNAL);
        assertThat(external.keyAlgorithm()).isEqualTo(KeySpec.EC_P384);
        assertThat(external.validity()).isNull();
        assertThat(config.issuer("corp-team").orElseThrow().source()).isEqualTo(IssuerSource.GENERATE);
        assertThat(CaConfigLoader.load(DEV).keyStore()).isEqualTo(KeyStoreDefinition.SOFTWARE);
    }

    /** Each mistake in the new keys is one sentence naming the key. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown source | 'a:\n    source: borrow\n    subject: CN=A' | issuers.a.source must be generate, import or external, not 'borrow'",
            "import without files | 'a:\n    source: import' | issuers.a with source import needs either certificate and key (PEM files) or pkcs12",
            "import with both | 'a:\n    source: import\n    certificate: a.pem\n    key: a.key\n    pkcs12: a.p12\n    passphraseEnv: X' | needs either certificate and key",
            "pkcs12 without passphrase | 'a:\n    source: import\n    pkcs12: a.p12' | issuers.a.passphraseEnv is required",
            "secret in passphraseEnv | 'a:\n    source: import\n    pkcs12: a.p12\n    passphraseEnv: hunter2!x' | issuers.a.passphraseEnv must name an environment variable",
            "external with parent | 'a:\n    source: external\n    parent: b\n    subject: CN=A\n    keyAlgorithm: EC-P256' | issuers.a.parent cannot be set with source external",
            "external with validity | 'a:\n    source: external\n    subject: CN=A\n    keyAlgorithm: EC-P256\n    validity: P1D' | issuers.a.validity is not a known key",
            "generation suffix | 'a-g2:\n    subject: CN=A\n    keyAlgorithm: EC-P256\n    validity: P1D' | issuers.a-g2 is not a valid issuer name",
    })
    void newIssuerKeysAreChecked(String what, String issuer, String expected) {
        String text = "issuers:\n  " + issuer.replace("\\n", "\n") + "\n";
        String profileIssuer = text.contains("a-g2") ? "a-g2" : "a";
        assertThatThrownBy(() -> parse(text, profileIssuer)).isInstanceOf(CaConfigException.class)
                .hasMessageStartingWith("/etc/certwright/ca.yml: ").hasMessageContaining(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown type | 'type: vault' | keyStore.type must be software or pkcs11, not 'vault'",
            "relative library | 'type: pkcs11\n  library: libsofthsm2.so\n  tokenLabel: t\n  pinEnv: PIN' | keyStore.library must be an absolute path",
            "missing library | 'type: pkcs11\n  library: /no/such/libpkcs11.so\n  tokenLabel: t\n  pinEnv: PIN' | keyStore.library /no/such/libpkcs11.so does not exist",
            "no token | 'type: pkcs11\n  library: /bin/sh\n  pinEnv: PIN' | keyStore.tokenLabel or keyStore.slot is required to name the token",
            "both | 'type: pkcs11\n  library: /bin/sh\n  tokenLabel: t\n  slot: 1\n  pinEnv: PIN' | keyStore.tokenLabel and keyStore.slot both name the token",
            "no pin | 'type: pkcs11\n  library: /bin/sh\n  slot: 1' | keyStore.pinEnv is required",
            "pin itself | 'type: pkcs11\n  library: /bin/sh\n  slot: 1\n  pin: 1234' | keyStore.pin is not a known key",
            "token KEK without a token | 'type: software\n  kek: token' | keyStore.kek token needs a token: keyStore.type pkcs11",
            "KEK elsewhere | 'type: pkcs11\n  library: /bin/sh\n  slot: 1\n  pinEnv: PIN\n  kek: vault' | keyStore.kek must be keystore or token, not 'vault'",
    })
    void keyStoreIsChecked(String what, String keyStore, String expected) {
        String text = "keyStore:\n  " + keyStore.replace("\\n", "\n") + "\nissuers:\n  a:\n    subject: CN=A\n    keyAlgorithm: EC-P256\n    validity: P1D\n";
        assertThatThrownBy(() -> parse(text, "a")).isInstanceOf(CaConfigException.class).hasMessageContaining(expected);
    }
}
