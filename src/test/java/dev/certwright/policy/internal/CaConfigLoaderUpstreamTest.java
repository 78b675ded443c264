package dev.certwright.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.Profile;
import dev.certwright.policy.UpstreamDefinition;

/** ca-config {@code upstreams} and a profile's {@code upstream:} (issue 22, decision 76). */
class CaConfigLoaderUpstreamTest {

    static final String CONFIG = """
            issuers:
              root:
                subject: "CN=Root"
                keyAlgorithm: EC-P256
                validity: P3650D
            upstreams:
              pebble:
                directory: https://127.0.0.1:14000/dir
                trustBundle: pebble.minica.pem
                eab: {kidEnv: PEBBLE_EAB_KID, hmacEnv: PEBBLE_EAB_HMAC}
                contact: [mailto:ops@example.com]
                challenge: http-01
              public-dns:
                directory: https://acme.example.net/directory
                contact: mailto:ops@example.com
                challenge: dns-01
                dns: {server: "127.0.0.1:5353", zone: upstream.test, tsigKeyName: certwright, tsigSecretEnv: TSIG_SECRET, tsigAlgorithm: hmac-sha256}
            profiles:
              public:
                upstream: pebble
                extendedKeyUsages: [serverAuth]
                maxValidity: P90D
              internal:
                issuer: root
                extendedKeyUsages: [serverAuth]
                maxValidity: P30D
            policy:
              keyAlgorithms: [EC-P256]
            """;

    static CaConfiguration parse(String text) {
        return CaConfigLoader.parse("/etc/certwright/ca.yml", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void upstreamsAndAProfileThatNamesOne() {
        CaConfiguration config = parse(CONFIG);
        UpstreamDefinition pebble = config.upstream("pebble").orElseThrow();
        assertThat(pebble.directory()).isEqualTo(URI.create("https://127.0.0.1:14000/dir"));
        assertThat(pebble.trustBundle()).hasToString("/etc/certwright/pebble.minica.pem");
        assertThat(pebble.eab().kidEnv()).isEqualTo("PEBBLE_EAB_KID");
        assertThat(pebble.contact()).containsExactly("mailto:ops@example.com");
        assertThat(pebble.challenge()).isEqualTo(UpstreamDefinition.Challenge.HTTP_01);
        assertThat(pebble.dns()).isNull();
        UpstreamDefinition dns = config.upstream("public-dns").orElseThrow();
        assertThat(dns.challenge().id()).isEqualTo("dns-01");
        assertThat(dns.dns().zone()).isEqualTo("upstream.test");
        assertThat(dns.dns().tsigSecretEnv()).isEqualTo("TSIG_SECRET");
        Profile profile = config.profile("public").orElseThrow();
        assertThat(profile.upstream()).isEqualTo("pebble");
        assertThat(profile.issuer()).isNull();
        assertThat(config.profile("internal").orElseThrow().upstream()).isNull();
    }

    @Test
    void configWithoutUpstreamsHasNone() {
        assertThat(CaConfigLoader.load(CaConfigLoaderTest.DEV).upstreams()).isEmpty();
    }

    /** Each broken line yields one sentence that names the key. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "plain http off loopback | 'directory: https://127.0.0.1:14000/dir' | 'directory: http://acme.example.net/dir' | upstreams.pebble.directory must be an https URL",
            "user info               | 'directory: https://127.0.0.1:14000/dir' | 'directory: https://u:p@127.0.0.1:14000/dir' | upstreams.pebble.directory must be an https URL",
            "unknown challenge       | 'challenge: http-01' | 'challenge: tls-alpn-01' | upstreams.pebble.challenge must be http-01 or dns-01, not 'tls-alpn-01'",
            "dns on http-01          | 'challenge: http-01' | 'challenge: http-01\n    dns: {server: x}' | upstreams.pebble.dns is only for challenge dns-01",
            "dns-01 without dns      | 'challenge: http-01' | 'challenge: dns-01' | upstreams.pebble.dns is required",
            "contact not mailto      | 'contact: [mailto:ops@example.com]' | 'contact: [ops@example.com]' | upstreams.pebble.contact has 'ops@example.com'",
            "missing contact         | 'contact: [mailto:ops@example.com]' | 'contacts: [mailto:ops@example.com]' | upstreams.pebble.contacts is not a known key",
            "eab holds a secret      | 'hmacEnv: PEBBLE_EAB_HMAC' | 'hmacEnv: \"c2VjcmV0IQ==\"' | upstreams.pebble.eab.hmacEnv must name an environment variable",
            "tsig algorithm          | 'tsigAlgorithm: hmac-sha256' | 'tsigAlgorithm: hmac-md5' | upstreams.public-dns.dns.tsigAlgorithm must be one of",
            "tsig secret inline      | 'tsigSecretEnv: TSIG_SECRET' | 'tsigSecretEnv: \"abc+/=\"' | upstreams.public-dns.dns.tsigSecretEnv must name an environment variable",
            "zone                    | 'zone: upstream.test' | 'zone: \"not a zone\"' | upstreams.public-dns.dns.zone is not a DNS name",
            "unknown upstream        | 'upstream: pebble' | 'upstream: ghost' | profiles.public.upstream names 'ghost', which is not a configured upstream",
            "upstream and issuer     | 'upstream: pebble' | 'upstream: pebble\n    issuer: root' | profiles.public.upstream cannot be set with issuer",
            "upstream with acme      | 'upstream: pebble' | 'upstream: pebble\n    acme: true' | profiles.public.acme cannot be true on a profile issued by an upstream",
            "directory missing       | 'directory: https://127.0.0.1:14000/dir' | 'trust: x' | upstreams.pebble.trust is not a known key",
    })
    void brokenUpstreamNamesTheKey(String what, String original, String broken, String expected) {
        String replaced = CONFIG.replaceFirst(java.util.regex.Pattern.quote(original.replace("\\n", "\n")),
                java.util.regex.Matcher.quoteReplacement(broken.replace("\\n", "\n")));
        assertThat(replaced).as("the test's edit applies").isNotEqualTo(CONFIG);
        assertThatThrownBy(() -> parse(replaced)).isInstanceOf(CaConfigException.class)
                .hasMessageStartingWith("/etc/certwright/ca.yml: ").hasMessageContaining(expected);
    }

    @Test
    void directoryIsRequired() {
        assertThatThrownBy(() -> parse(CONFIG.replace("    directory: https://127.0.0.1:14000/dir\n", "")))
                .isInstanceOf(CaConfigException.class).hasMessageContaining("upstreams.pebble.directory is required");
    }
}
