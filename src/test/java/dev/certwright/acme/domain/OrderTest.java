package dev.certwright.acme.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import dev.certwright.x509.CsrView;

/** The order rules of RFC 8555 §7.1.6 (status) and §7.4 (the CSR names exactly the order's identifiers). */
class OrderTest {

    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final Instant LATER = NOW.plus(Duration.ofHours(1));
    static final Instant EARLIER = NOW.minus(Duration.ofHours(1));

    static Order order(OrderStatus status, Instant expires, Identifier... identifiers) {
        return new Order(1, 7, status, List.of(identifiers), "tls-server", expires, null, null, EARLIER, null);
    }

    static Authorization authorization(AuthorizationStatus status, Instant expires) {
        return new Authorization(1, 1, new Identifier(IdentifierType.DNS, "a.test"), false, status, expires);
    }

    static Stream<Arguments> pendingOrders() {
        return Stream.of(
                Arguments.of("all authorizations valid", List.of(authorization(AuthorizationStatus.VALID, LATER)), OrderStatus.READY),
                Arguments.of("one still pending", List.of(authorization(AuthorizationStatus.VALID, LATER),
                        authorization(AuthorizationStatus.PENDING, LATER)), OrderStatus.PENDING),
                Arguments.of("one failed", List.of(authorization(AuthorizationStatus.VALID, LATER),
                        authorization(AuthorizationStatus.INVALID, LATER)), OrderStatus.INVALID),
                Arguments.of("one deactivated", List.of(authorization(AuthorizationStatus.DEACTIVATED, LATER)), OrderStatus.INVALID),
                Arguments.of("one pending past its expiry", List.of(authorization(AuthorizationStatus.PENDING, EARLIER)), OrderStatus.INVALID),
                Arguments.of("a valid one past its expiry still counts", List.of(authorization(AuthorizationStatus.VALID, EARLIER)),
                        OrderStatus.READY));
    }

    @ParameterizedTest(name = "a pending order whose authorizations are {0} is {2}")
    @MethodSource("pendingOrders")
    void aPendingOrderFollowsItsAuthorizations(String description, List<Authorization> authorizations, OrderStatus expected) {
        assertThat(order(OrderStatus.PENDING, LATER).statusGiven(authorizations, NOW)).isEqualTo(expected);
        assertThat(order(OrderStatus.PENDING, LATER).readyToFinalize(authorizations, NOW)).isEqualTo(expected == OrderStatus.READY);
    }

    @ParameterizedTest(name = "a pending order past its expiry is invalid even with valid authorizations")
    @EnumSource(value = AuthorizationStatus.class, names = {"VALID", "PENDING"})
    void anExpiredOrderIsInvalid(AuthorizationStatus status) {
        Order expired = order(OrderStatus.PENDING, EARLIER);
        assertThat(expired.statusGiven(List.of(authorization(status, LATER)), NOW)).isEqualTo(OrderStatus.INVALID);
        assertThat(expired.readyToFinalize(List.of(authorization(status, LATER)), NOW)).isFalse();
    }

    @ParameterizedTest(name = "a stored {0} order stays {0} whatever its authorizations and expiry")
    @EnumSource(value = OrderStatus.class, names = {"PROCESSING", "VALID", "INVALID"})
    void aSettledOrderStays(OrderStatus stored) {
        Order order = order(stored, EARLIER);
        assertThat(order.statusGiven(List.of(authorization(AuthorizationStatus.VALID, LATER)), NOW)).isEqualTo(stored);
        assertThat(order.statusGiven(List.of(authorization(AuthorizationStatus.INVALID, LATER)), NOW)).isEqualTo(stored);
        assertThat(order.readyToFinalize(List.of(authorization(AuthorizationStatus.VALID, LATER)), NOW)).isFalse();
    }

    static Stream<Arguments> csrs() {
        Identifier a = new Identifier(IdentifierType.DNS, "a.test");
        Identifier b = new Identifier(IdentifierType.DNS, "b.test");
        Identifier ip = new Identifier(IdentifierType.IP, "2001:db8::1");
        return Stream.of(
                Arguments.of("the same names", List.of(a, b), new CsrView(null, List.of("a.test", "b.test"), List.of(), null), true),
                Arguments.of("the names in another order", List.of(a, b), new CsrView(null, List.of("b.test", "a.test"), List.of(), null), true),
                Arguments.of("the names in upper case", List.of(a), new CsrView(null, List.of("A.TEST"), List.of(), null), true),
                Arguments.of("the name as common name too", List.of(a), new CsrView("a.test", List.of("a.test"), List.of(), null), true),
                Arguments.of("the name only as common name", List.of(a), new CsrView("a.test", List.of(), List.of(), null), true),
                Arguments.of("an IP address spelt otherwise", List.of(ip), new CsrView(null, List.of(), List.of("2001:DB8:0:0:0:0:0:1"), null),
                        true),
                Arguments.of("an IP address as common name", List.of(ip), new CsrView("2001:db8::1", List.of(), List.of("2001:db8::1"), null),
                        true),
                Arguments.of("one name fewer", List.of(a, b), new CsrView(null, List.of("a.test"), List.of(), null), false),
                Arguments.of("one name more", List.of(a), new CsrView(null, List.of("a.test", "b.test"), List.of(), null), false),
                Arguments.of("another common name", List.of(a), new CsrView("c.test", List.of("a.test"), List.of(), null), false),
                Arguments.of("the address as a DNS name", List.of(ip), new CsrView(null, List.of("2001:db8::1"), List.of(), null), false));
    }

    @ParameterizedTest(name = "a CSR with {0} matches: {3}")
    @MethodSource("csrs")
    void aCsrMustNameExactlyTheOrdersIdentifiers(String description, List<Identifier> ordered, CsrView csr, boolean matches) {
        Order order = order(OrderStatus.PENDING, LATER, ordered.toArray(Identifier[]::new));
        assertThat(order.namesExactly(Identifier.namedIn(csr))).isEqualTo(matches);
    }
}
