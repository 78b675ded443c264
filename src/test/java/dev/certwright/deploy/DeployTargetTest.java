package dev.certwright.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.certwright.deploy.internal.SshDeployer;

/** Target validation (paths, kinds, pins, modes) and the quoting of the one shell command built from data. */
class DeployTargetTest {

    static final String PIN = "SHA256:" + "A".repeat(43);

    static DeployTarget nginx(String fullchain, String key) {
        return new DeployTarget("web1", "nginx", "web1.internal", 22, "deploy", PIN,
                new DeployTarget.Paths(null, null, fullchain, key, null), null, null, 0644, 0600, "systemctl reload nginx",
                new DeployTarget.Probe("web1.internal", 443, "web.internal"));
    }

    @Test
    void aWellFormedNginxTargetHasNoProblems() {
        assertThat(nginx("/etc/nginx/tls/web.pem", "/etc/nginx/tls/web.key").problems()).isEmpty();
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {"relative/web.pem", "/etc/nginx/../shadow", "/etc/./nginx/web.pem", "/etc/nginx/", "/etc/ngi\nnx/web.pem",
            "/etc/nginx/web.pem\r", "/etc/\u0000/web.pem"})
    void pathsMustBeAbsoluteWithoutDotSegmentsOrControlCharacters(String path) {
        assertThat(nginx(path, "/etc/nginx/tls/web.key").problems()).anySatisfy(p -> assertThat(p).startsWith("paths.fullchainPath"));
    }

    @ParameterizedTest(name = "webroot {0} is refused")
    @ValueSource(strings = {"var/www", "/var/www/../etc", "/var/./www", "/var/www/", "/var/w\nww", "/var/www\u007f", ""})
    void aWebrootIsValidatedLikeThePaths(String webroot) {
        assertThat(nginx("/etc/nginx/tls/web.pem", "/etc/nginx/tls/web.key").withWebroot(webroot).problems())
                .anySatisfy(p -> assertThat(p).startsWith("webroot must"));
    }

    @Test
    void aWebrootIsOptionalAndAnAbsoluteDirectoryIsAccepted() {
        DeployTarget target = nginx("/etc/nginx/tls/web.pem", "/etc/nginx/tls/web.key");
        assertThat(target.webroot()).isNull();
        assertThat(target.withWebroot("/var/www/html").problems()).isEmpty();
    }

    @ParameterizedTest(name = "{0} needs {1}")
    @CsvSource({"nginx, paths.fullchainPath and paths.keyPath", "haproxy, paths.combinedPemPath"})
    void eachKindNeedsItsFiles(String kind, String needs) {
        DeployTarget target = new DeployTarget("t", kind, "h", 22, "deploy", PIN, new DeployTarget.Paths("/a/cert.pem", null, null, null, null),
                null, null, 0644, 0600, null, new DeployTarget.Probe("h", 443, null));
        assertThat(target.problems()).anySatisfy(p -> assertThat(p).contains(needs));
    }

    @ParameterizedTest(name = "pin {0} is refused")
    @ValueSource(strings = {"", "SHA256:short", "MD5:aa:bb", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!"})
    void theHostKeyPinMustBeAnOpenSshSha256Fingerprint(String pin) {
        DeployTarget target = new DeployTarget("t", "files", "h", 22, "deploy", pin, new DeployTarget.Paths("/a/cert.pem", null, null, null, null),
                null, null, 0644, 0600, null, new DeployTarget.Probe("h", 443, null));
        assertThat(target.problems()).anySatisfy(p -> assertThat(p).startsWith("hostKeySha256"));
    }

    @Test
    void aKeyReadableByEveryoneAndAMultiLineReloadAreRefused() {
        DeployTarget target = new DeployTarget("t", "files", "h", 22, "deploy", PIN, new DeployTarget.Paths(null, null, null, "/a/key.pem", null),
                null, null, 0644, 0644, "true\nrm -rf /", new DeployTarget.Probe("h", 443, null));
        assertThat(target.problems()).anySatisfy(p -> assertThat(p).startsWith("keyMode"))
                .anySatisfy(p -> assertThat(p).startsWith("reloadCommand"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/etc/tls/web.key", "/etc/tls/it's.key", "/etc/tls/$(reboot).key", "/etc/tls/`id`;.key", "/etc/tls/a b\".key"})
    void quotingKeepsAnyTextOneInertWord(String text) throws Exception {
        // sh itself says what the word is: printf prints it back unchanged, and nothing in it ran.
        Process sh = new ProcessBuilder("sh", "-c", "printf %s " + SshDeployer.quote(text)).redirectErrorStream(true).start();
        assertThat(new String(sh.getInputStream().readAllBytes())).isEqualTo(text);
        assertThat(sh.waitFor()).isZero();
    }

    @Test
    void installOrderPutsKeyBearingFilesFirst() {
        DeployTarget.Paths paths = new DeployTarget.Paths("/a/cert.pem", "/a/chain.pem", "/a/full.pem", "/a/key.pem", "/a/combined.pem");
        assertThat(List.copyOf(paths.byRole().keySet())).containsExactly("key", "combined", "certificate", "chain", "fullchain");
    }
}
