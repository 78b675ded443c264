package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.Http01Responder;

/**
 * acme4j against the server: a new account, an order for one name under a profile, its http-01 challenges answered by
 * an in-test responder on the port the server validates on (RFC 8555 §8.3), finalized with a fresh P-256 key. The JVM's
 * default TLS context trusts the server's root while it runs, acme4j's connections included.
 */
final class Http01Orders {

    /** What a test does with the certificate while the server's root is still trusted (alternate chains are fetched). */
    interface WithCertificate {
        void accept(Certificate certificate) throws Exception;
    }

    private Http01Orders() {
    }

    static void order(CertwrightProcess app, X509Certificate root, int http01Port, String domain, String profile, WithCertificate then)
            throws Exception {
        SSLContext previous = SSLContext.getDefault();
        SSLContext.setDefault(CertwrightProcess.trustingRoot(root));
        try (Http01Responder http01 = Http01Responder.start(http01Port)) {
            Login login = new AccountBuilder().agreeToTermsOfService().addEmail("ops@example.test").useKeyPair(AcmeProtocolIT.ecKeyPair())
                    .createLogin(new Session(URI.create("https://localhost:" + app.httpsPort() + "/acme/directory")));
            var order = login.newOrder().domain(domain).profile(profile).create();
            for (Authorization authorization : order.getAuthorizations()) {
                Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
                http01.serve(challenge.getToken(), challenge.getAuthorization());
                challenge.trigger();
                assertThat(authorization.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
            }
            order.execute(AcmeProtocolIT.ecKeyPair());
            assertThat(order.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
            then.accept(order.getCertificate());
        } finally {
            SSLContext.setDefault(previous);
        }
    }
}
