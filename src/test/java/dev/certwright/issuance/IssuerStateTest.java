package dev.certwright.issuance;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.KeyLocation;
import dev.certwright.issuance.internal.IssuerRecords.Row;
import dev.certwright.issuance.internal.IssuerRecords.Status;
import dev.certwright.policy.IssuerSource;
import dev.certwright.x509.KeySpec;

/**
 * Which generation of an issuer signs at a given time, from the rows alone ({@link CaHierarchy#state}): a successor
 * stands by until its switch time, then takes over and its predecessor retires; a successor without its certificate
 * takes over nothing; and a generation that was taken over never signs again, even when its successor retired first.
 */
class IssuerStateTest {

    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    static final CertificateAuthority CA = new CertificateAuthority(Clock.systemUTC(), new SecureRandom(), "http://pki.test");
    static final X509Certificate CERTIFICATE = certificate();

    static X509Certificate certificate() {
        CA.generateKey("state-test", KeySpec.EC_P256);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return CA.selfSign("state-test", "CN=State Test", now, now.plus(Duration.ofDays(1)), 0);
    }

    /** One generation of "issuing": {@code g1}, {@code g2}, ... in a line; {@code switchAt} in minutes from now. */
    record Generation(int n, Status status, boolean certified, Integer switchInMinutes) {
    }

    static List<Row> line(Generation... generations) {
        List<Row> rows = new ArrayList<>();
        for (Generation g : generations) {
            String name = g.n() == 1 ? "issuing" : "issuing-g" + g.n();
            String predecessor = g.n() == 1 ? null : g.n() == 2 ? "issuing" : "issuing-g" + (g.n() - 1);
            String successor = g.n() == generations.length ? null : "issuing-g" + (g.n() + 1);
            Instant switchAt = g.switchInMinutes() == null ? null : NOW.plus(Duration.ofMinutes(g.switchInMinutes()));
            rows.add(new Row(name, "issuing", g.n(), IssuerSource.GENERATE, g.status(), KeyLocation.KEYSTORE, "EC-P256", new byte[0],
                    "CN=Issuing", 0, "root", g.certified() ? CERTIFICATE : null, List.of(), predecessor, successor, switchAt, null, NOW, NOW));
        }
        return rows;
    }

    static Stream<Arguments> lines() {
        Generation first = new Generation(1, Status.READY, true, null);
        return Stream.of(
                Arguments.of("alone, it issues", List.of(first), List.of(IssuerState.ACTIVE)),
                Arguments.of("before the switch the successor stands by", List.of(first, new Generation(2, Status.READY, true, 5)),
                        List.of(IssuerState.ACTIVE, IssuerState.STANDBY)),
                Arguments.of("after the switch the successor issues and the predecessor retires",
                        List.of(first, new Generation(2, Status.READY, true, -5)), List.of(IssuerState.RETIRING, IssuerState.ACTIVE)),
                Arguments.of("at the switch time itself the successor issues", List.of(first, new Generation(2, Status.READY, true, 0)),
                        List.of(IssuerState.RETIRING, IssuerState.ACTIVE)),
                Arguments.of("a successor awaiting its certificate takes over nothing, even past its switch time",
                        List.of(first, new Generation(2, Status.AWAITING_CERTIFICATE, false, -5)),
                        List.of(IssuerState.ACTIVE, IssuerState.AWAITING_CERTIFICATE)),
                Arguments.of("a retired predecessor stays retired", List.of(new Generation(1, Status.RETIRED, true, null),
                        new Generation(2, Status.READY, true, -5)), List.of(IssuerState.RETIRED, IssuerState.ACTIVE)),
                Arguments.of("three generations: the middle one issues while the third stands by",
                        List.of(first, new Generation(2, Status.READY, true, -60), new Generation(3, Status.READY, true, 60)),
                        List.of(IssuerState.RETIRING, IssuerState.ACTIVE, IssuerState.STANDBY)),
                Arguments.of("the first generation does not wake up when its successor retired before it",
                        List.of(first, new Generation(2, Status.RETIRED, true, -60), new Generation(3, Status.READY, true, -30)),
                        List.of(IssuerState.RETIRING, IssuerState.RETIRED, IssuerState.ACTIVE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void eachGenerationHasTheStateItsRowsAndTheTimeGive(String why, List<Generation> generations, List<IssuerState> expected) {
        List<Row> rows = line(generations.toArray(Generation[]::new));
        assertThat(rows.stream().map(r -> CaHierarchy.state(r, rows, NOW)).toList()).isEqualTo(expected);
        assertThat(rows.stream().filter(r -> CaHierarchy.state(r, rows, NOW) == IssuerState.ACTIVE).count()).as("one generation issues at most")
                .isLessThanOrEqualTo(1);
    }
}
