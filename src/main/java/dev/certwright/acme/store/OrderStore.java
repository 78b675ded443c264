package dev.certwright.acme.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.certwright.acme.domain.Authorization;
import dev.certwright.acme.domain.AuthorizationStatus;
import dev.certwright.acme.domain.Challenge;
import dev.certwright.acme.domain.ChallengeStatus;
import dev.certwright.acme.domain.ChallengeType;
import dev.certwright.acme.domain.Identifier;
import dev.certwright.acme.domain.IdentifierType;
import dev.certwright.acme.domain.Order;
import dev.certwright.acme.domain.OrderStatus;
import dev.certwright.platform.Timestamps;

/** ACME orders with their authorizations and challenges. Statuses and types are stored as their RFC text. */
@Component
public class OrderStore {

    private final JdbcClient jdbc;
    private final Clock clock;

    OrderStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A challenge to create: its type and random token. */
    public record NewChallenge(ChallengeType type, String token) {
    }

    /** An authorization to create, with its challenges. */
    public record NewAuthorization(Identifier identifier, boolean wildcard, List<NewChallenge> challenges) {
    }

    /** Creates the order, its authorizations and their challenges in one transaction. */
    @Transactional
    public Order create(long accountId, List<Identifier> identifiers, String profile, Instant expires, List<NewAuthorization> authorizations,
            Long replacesCertificateId) {
        Instant now = clock.instant();
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.sql("INSERT INTO acme_order (account_id, status, identifiers, profile, expires_at, replaces_certificate_id, created_at, updated_at) "
                        + "VALUES (:a, 'pending', :ids, :profile, :exp, :replaces, :now, :now)")
                .param("replaces", replacesCertificateId)
                .param("a", accountId).param("ids", String.join("\n", identifiers.stream().map(Identifier::line).toList()))
                .param("profile", profile).param("exp", Timestamps.of(expires)).param("now", Timestamps.of(now)).update(keys, "id");
        long orderId = keys.getKey().longValue();
        for (NewAuthorization a : authorizations) {
            GeneratedKeyHolder authz = new GeneratedKeyHolder();
            jdbc.sql("INSERT INTO acme_authorization (order_id, identifier_type, identifier_value, wildcard, status, expires_at) "
                            + "VALUES (:o, :t, :v, :w, 'pending', :exp)")
                    .param("o", orderId).param("t", a.identifier().type().text()).param("v", a.identifier().value()).param("w", a.wildcard())
                    .param("exp", Timestamps.of(expires)).update(authz, "id");
            for (NewChallenge c : a.challenges()) {
                jdbc.sql("INSERT INTO acme_challenge (authorization_id, type, token, status) VALUES (:a, :t, :token, 'pending')")
                        .param("a", authz.getKey().longValue()).param("t", c.type().text()).param("token", c.token()).update();
            }
        }
        return findOrder(orderId).orElseThrow();
    }

    public Optional<Order> findOrder(long id) {
        return jdbc.sql("SELECT * FROM acme_order WHERE id = :id").param("id", id).query((rs, i) -> readOrder(rs)).optional();
    }

    public List<Long> orderIds(long accountId, int limit) {
        return jdbc.sql("SELECT id FROM acme_order WHERE account_id = :a ORDER BY id DESC LIMIT :limit").param("a", accountId)
                .param("limit", limit).query(Long.class).list();
    }

    /** A pending, ready, processing or valid order that replaces this certificate (RFC 9773 §5). */
    public Optional<Long> replacedBy(long certificateId) {
        return jdbc.sql("SELECT id FROM acme_order WHERE replaces_certificate_id = :c AND (status = 'valid' "
                        + "OR (status IN ('pending', 'processing') AND expires_at > :now)) ORDER BY id LIMIT 1")
                .param("c", certificateId).param("now", Timestamps.of(clock.instant())).query(Long.class).optional();
    }

    public Optional<Order> findByCertificate(long certificateId) {
        return jdbc.sql("SELECT * FROM acme_order WHERE certificate_id = :c").param("c", certificateId).query((rs, i) -> readOrder(rs))
                .optional();
    }

    /** Moves an order from one status to another; false if it was not in {@code from} (a concurrent finalize). */
    public boolean transition(long id, OrderStatus from, OrderStatus to) {
        return jdbc.sql("UPDATE acme_order SET status = :to, updated_at = :now WHERE id = :id AND status = :from").param("to", to.text())
                .param("from", from.text()).param("now", Timestamps.of(clock.instant())).param("id", id).update() == 1;
    }

    public void completed(long id, long certificateId) {
        jdbc.sql("UPDATE acme_order SET status = 'valid', certificate_id = :c, updated_at = :now WHERE id = :id").param("c", certificateId)
                .param("now", Timestamps.of(clock.instant())).param("id", id).update();
    }

    public void failed(long id, String problemJson) {
        jdbc.sql("UPDATE acme_order SET status = 'invalid', error = :e, updated_at = :now WHERE id = :id").param("e", problemJson)
                .param("now", Timestamps.of(clock.instant())).param("id", id).update();
    }

    public List<Authorization> authorizations(long orderId) {
        return jdbc.sql("SELECT * FROM acme_authorization WHERE order_id = :o ORDER BY id").param("o", orderId)
                .query((rs, i) -> readAuthorization(rs)).list();
    }

    public Optional<Authorization> findAuthorization(long id) {
        return jdbc.sql("SELECT * FROM acme_authorization WHERE id = :id").param("id", id).query((rs, i) -> readAuthorization(rs)).optional();
    }

    public boolean setAuthorizationStatus(long id, AuthorizationStatus from, AuthorizationStatus to) {
        return jdbc.sql("UPDATE acme_authorization SET status = :to WHERE id = :id AND status = :from").param("to", to.text())
                .param("from", from.text())
                .param("id", id).update() == 1;
    }

    public List<Challenge> challenges(long authorizationId) {
        return jdbc.sql("SELECT * FROM acme_challenge WHERE authorization_id = :a ORDER BY id").param("a", authorizationId)
                .query((rs, i) -> readChallenge(rs)).list();
    }

    public Optional<Challenge> findChallenge(long id) {
        return jdbc.sql("SELECT * FROM acme_challenge WHERE id = :id").param("id", id).query((rs, i) -> readChallenge(rs)).optional();
    }

    /** pending → processing; false if the challenge was not pending. */
    public boolean startChallenge(long id) {
        return jdbc.sql("UPDATE acme_challenge SET status = 'processing', started_at = :now WHERE id = :id AND status = 'pending'")
                .param("now", Timestamps.of(clock.instant())).param("id", id).update() == 1;
    }

    /** Challenges processing since before a moment: their validation was lost with the node that ran it. */
    public List<Long> staleValidations(Instant startedBefore, int limit) {
        return jdbc.sql("SELECT id FROM acme_challenge WHERE status = 'processing' AND started_at < :before ORDER BY started_at LIMIT :limit")
                .param("before", Timestamps.of(startedBefore)).param("limit", limit).query(Long.class).list();
    }

    /** Claims a stale validation for this node; false if another node claimed it first. */
    public boolean reclaimValidation(long id, Instant startedBefore) {
        return jdbc.sql("UPDATE acme_challenge SET started_at = :now WHERE id = :id AND status = 'processing' AND started_at < :before")
                .param("now", Timestamps.of(clock.instant())).param("id", id).param("before", Timestamps.of(startedBefore)).update() == 1;
    }

    /** The key thumbprint of the account that owns a challenge (the second half of its key authorization). */
    public Optional<String> accountThumbprint(long challengeId) {
        return jdbc.sql("SELECT acc.thumbprint FROM acme_challenge c JOIN acme_authorization a ON a.id = c.authorization_id "
                        + "JOIN acme_order o ON o.id = a.order_id JOIN acme_account acc ON acc.id = o.account_id WHERE c.id = :id")
                .param("id", challengeId).query(String.class).optional();
    }

    /** Records a validation's outcome on the challenge and its authorization, in one transaction. */
    @Transactional
    public void finishChallenge(Challenge challenge, boolean valid, String problemJson) {
        Instant now = clock.instant();
        jdbc.sql("UPDATE acme_challenge SET status = :s, validated_at = :at, error = :e WHERE id = :id")
                .param("s", ChallengeStatus.afterValidation(valid).text()).param("at", valid ? Timestamps.of(now) : null).param("e", problemJson)
                .param("id", challenge.id()).update();
        // RFC 8555 §7.1.6: only a pending authorization follows its challenge; a deactivated or expired one stays.
        setAuthorizationStatus(challenge.authorizationId(), AuthorizationStatus.PENDING, AuthorizationStatus.PENDING.afterChallenge(valid));
    }

    private static Order readOrder(ResultSet rs) throws SQLException {
        Object certificate = rs.getObject("certificate_id");
        return new Order(rs.getLong("id"), rs.getLong("account_id"), OrderStatus.fromText(rs.getString("status")),
                Arrays.stream(rs.getString("identifiers").split("\n")).map(Identifier::parse).toList(), rs.getString("profile"),
                Timestamps.read(rs, "expires_at"), rs.getString("error"), certificate == null ? null : ((Number) certificate).longValue(),
                Timestamps.read(rs, "created_at"), rs.getObject("replaces_certificate_id") == null ? null
                        : ((Number) rs.getObject("replaces_certificate_id")).longValue());
    }

    private static Authorization readAuthorization(ResultSet rs) throws SQLException {
        return new Authorization(rs.getLong("id"), rs.getLong("order_id"), new Identifier(IdentifierType.fromText(rs.getString(
                "identifier_type")), rs.getString("identifier_value")), rs.getBoolean("wildcard"), AuthorizationStatus.fromText(rs.getString("status")), Timestamps.read(rs, "expires_at"));
    }

    private static Challenge readChallenge(ResultSet rs) throws SQLException {
        return new Challenge(rs.getLong("id"), rs.getLong("authorization_id"), ChallengeType.fromText(rs.getString("type")),
                rs.getString("token"), ChallengeStatus.fromText(rs.getString("status")), Timestamps.read(rs, "validated_at"), rs.getString("error"));
    }
}
