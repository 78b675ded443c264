package dev.certwright.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.ProblemDetail;

import dev.certwright.acme.web.AcmeException;
import dev.certwright.acme.web.AcmeProblem;
import dev.certwright.backup.BackupException;
import dev.certwright.ca.CaException;
import dev.certwright.keys.KeyException;
import dev.certwright.deploy.DeployException;
import dev.certwright.inventory.InventoryException;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.policy.internal.CaConfigException;
import dev.certwright.policy.PolicyException;
import dev.certwright.x509.ChainException;
import dev.certwright.x509.X509Exception;
import dev.certwright.platform.internal.RequestBodyTooLargeException;

/**
 * The one table from module errors to answers. The expected rows are the statuses and problem types the API answered
 * before the exceptions shared a root (api/ApiProblems and platform/ProblemHandling), so that a change to the table
 * shows here before a client sees it.
 */
class RefusalTest {

    static Stream<Arguments> table() {
        return Stream.of(
                row(new PolicyException(PolicyException.Type.UNKNOWN_PROFILE, "m"), 422, "unknown-profile", "m"),
                row(new PolicyException(PolicyException.Type.REJECTED_IDENTIFIER, "m"), 422, "rejected-identifier", "m"),
                row(new PolicyException(PolicyException.Type.BAD_KEY, "m"), 422, "bad-key", "m"),
                row(new PolicyException(PolicyException.Type.BAD_VALIDITY, "m"), 422, "bad-validity", "m"),
                row(new PolicyException(PolicyException.Type.BAD_REQUEST, "m"), 422, "invalid-request", "m"),
                row(new InventoryException(InventoryException.Type.NOT_FOUND, "m"), 404, "not-found", "m"),
                row(new InventoryException(InventoryException.Type.DUPLICATE, "m"), 409, "duplicate", "m"),
                row(new InventoryException(InventoryException.Type.AMBIGUOUS, "m"), 409, "ambiguous-serial", "m"),
                row(new IssuanceException(IssuanceException.Type.BAD_REQUEST, "m"), 400, "invalid-request", "m"),
                row(new IssuanceException(IssuanceException.Type.NOT_FOUND, "m"), 404, "not-found", "m"),
                row(new IssuanceException(IssuanceException.Type.CA_REFUSED, "m"), 422, "ca-refused", "m"),
                row(new IssuanceException(IssuanceException.Type.SIGNING_FAILED, "m"), 503, "signing-failed", "m"),
                row(new IssuanceException(IssuanceException.Type.ISSUER_NOT_READY, "m"), 409, "issuer-not-ready", "m"),
                row(new IssuanceException(IssuanceException.Type.CONFLICT, "m"), 409, "conflict", "m"),
                row(new IssuanceException(IssuanceException.Type.UPSTREAM, "m"), 502, "target-failed", "m"),
                row(new IssuanceException(IssuanceException.Type.UPSTREAM_CA, "m"), 502, "upstream-ca-failed", "m"),
                row(new IssuanceException(IssuanceException.Type.FORBIDDEN, "m"), 403, "forbidden", "m"),
                row(new IssuanceException(IssuanceException.Type.KEK_ROTATION_RUNNING, "m"), 409, "kek-rotation-running", "m"),
                row(new DeployException(DeployException.Type.BAD_REQUEST, "m"), 400, "invalid-request", "m"),
                row(new DeployException(DeployException.Type.NOT_FOUND, "m"), 404, "not-found", "m"),
                row(new DeployException(DeployException.Type.CONFLICT, "m"), 409, "conflict", "m"),
                row(new CaException(CaException.Type.UNKNOWN_ISSUER, "m"), 404, "unknown-issuer", "m"),
                // Inside the CA the message may name keystores and providers: the client reads a generic sentence.
                row(new CaException(CaException.Type.NOT_INSTALLED, "m"), 503, "ca-unavailable", "the CA cannot serve this request now"),
                row(new CaException(CaException.Type.KEYSTORE, "m"), 503, "ca-unavailable", "the CA cannot serve this request now"),
                row(new CaException(CaException.Type.SIGNING, "m"), 503, "ca-unavailable", "the CA cannot serve this request now"),
                row(new CaException(CaException.Type.KEY_MISMATCH, "m"), 503, "ca-unavailable", "the CA cannot serve this request now"),
                row(new KeyException(KeyException.Type.NOT_INSTALLED, "m"), 503, "ca-unavailable", "the CA cannot serve this request now"),
                row(new KeyException(KeyException.Type.KEY_WRAP, "m"), 503, "ca-unavailable", "the CA cannot serve this request now"),
                row(new BackupException(BackupException.Type.BAD_REQUEST, "m"), 400, "invalid-request", "m"),
                row(new BackupException(BackupException.Type.BAD_ARCHIVE, "m"), 400, "bad-backup", "m"),
                row(new BackupException(BackupException.Type.TARGET_NOT_EMPTY, "m"), 409, "restore-target-not-empty", "m"),
                row(new BackupException(BackupException.Type.UNAVAILABLE, "m"), 503, "backup-unavailable", "m"),
                row(new BackupException(BackupException.Type.FAILED, "m"), 503, "backup-failed", "m"),
                row(new X509Exception("m"), 400, "malformed-certificate-data", "m"),
                row(new ChainException("m"), 422, "broken-chain", "m"),
                row(new RequestBodyTooLargeException(10), 413, "request-too-large", "the request body is larger than 10 bytes"));
    }

    static Arguments row(RuntimeException e, int status, String type, String detail) {
        return Arguments.of(e.getClass().getSimpleName() + (e instanceof CertwrightException c ? " " + c.problemType() : ""), e, status,
                type, detail);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void moduleErrorsKeepTheirStatusProblemTypeAndTitle(String name, RuntimeException e, int status, String type, String detail) {
        Refusal refusal = Refusal.of(e).orElseThrow();
        ProblemDetail problem = refusal.problem();
        assertThat(problem.getStatus()).isEqualTo(status);
        assertThat(problem.getType()).hasToString("urn:certwright:problem:" + type);
        assertThat(problem.getDetail()).isEqualTo(detail);
        assertThat(problem.getTitle()).isEqualTo(org.springframework.http.HttpStatus.valueOf(status).getReasonPhrase()).isEqualTo(refusal.title());
    }

    @Test
    void everyTypeOfEveryModuleErrorIsInTheTable() {
        Set<Enum<?>> seen = new HashSet<>();
        table().map(a -> a.get()[1]).forEach(e -> {
            switch (e) {
                case PolicyException p -> seen.add(p.type());
                case InventoryException i -> seen.add(i.type());
                case IssuanceException i -> seen.add(i.type());
                case DeployException d -> seen.add(d.type());
                case CaException c -> seen.add(c.type());
                default -> {
                }
            }
        });
        Set<Enum<?>> all = new HashSet<>();
        for (List<? extends Enum<?>> values : List.of(List.copyOf(EnumSet.allOf(PolicyException.Type.class)),
                List.copyOf(EnumSet.allOf(InventoryException.Type.class)), List.copyOf(EnumSet.allOf(IssuanceException.Type.class)),
                List.copyOf(EnumSet.allOf(DeployException.Type.class)), List.copyOf(EnumSet.allOf(CaException.Type.class)))) {
            all.addAll(values);
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void faultsOfOursAreNoRefusalSoTheyAreAnsweredAsInternalErrors() {
        assertThat(Refusal.of(new StartupException("certwright.x is wrong"))).isEmpty();
        assertThat(Refusal.of(new CaConfigException("ca.yaml: profiles.x is wrong"))).isEmpty();
        assertThat(Refusal.of(new IllegalStateException("boom"))).isEmpty();
    }

    @Test
    void aRetryAfterTravelsWithTheRefusal() {
        CertwrightException limited = new CertwrightException(CertwrightException.Kind.TOO_MANY_REQUESTS, "rate-limited", "slow down") {
            @Override
            public Duration retryAfter() {
                return Duration.ofSeconds(7);
            }
        };
        Refusal refusal = Refusal.of(limited).orElseThrow();
        assertThat(refusal.status().value()).isEqualTo(429);
        assertThat(refusal.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void acmeErrorsTakeTheirKindFromTheirProblemsStatus() {
        for (AcmeProblem problem : AcmeProblem.values()) {
            AcmeException e = new AcmeException(problem, "m");
            assertThat(e.kind().status()).as(problem.name()).isEqualTo(problem.status());
        }
    }
}
