package dev.certwright.revocation;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.Issuer;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.issuance.CertificateIssuance;
import dev.certwright.issuance.IssuedCertificate;
import dev.certwright.platform.Timestamps;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.Pem;

/**
 * The delegated OCSP responder of each issuer (RFC 6960 §4.2.2.2): an EC P-256 key and a short-lived certificate with
 * id-kp-OCSPSigning and id-pkix-ocsp-nocheck. The Quartz pre-signing job replaces it at half its life; every node
 * loads the newest one from the database at start and each minute, since any node may have replaced it.
 */
@Component
class OcspResponders {

    private static final Logger log = LoggerFactory.getLogger(OcspResponders.class);

    private final CertificateAuthority ca;
    private final CertificateIssuance issuance;
    private final CertificateInventory inventory;
    private final JdbcClient jdbc;
    private final RevocationProperties.Ocsp properties;
    private final Clock clock;
    private final SecureRandom random;
    private final Map<String, Long> installed = new ConcurrentHashMap<>();

    OcspResponders(CertificateAuthority ca, CertificateIssuance issuance, CertificateInventory inventory, JdbcClient jdbc,
            RevocationProperties.Ocsp properties, Clock clock, SecureRandom random) {
        this.ca = ca;
        this.issuance = issuance;
        this.inventory = inventory;
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
        this.random = random;
    }

    /** At start: make sure every issuer has a responder, and load them. */
    @EventListener(ApplicationReadyEvent.class)
    void start() {
        renewDue();
    }

    /** Issues a responder for each issuer that has none or whose responder is past half its life, then loads. */
    void renewDue() {
        Instant now = clock.instant();
        for (Issuer issuer : ca.issuers()) {
            try {
                Instant notAfter = jdbc.sql("SELECT MAX(not_after) AS latest FROM ocsp_responder WHERE issuer_name = :issuer")
                        .param("issuer", issuer.name()).query((rs, i) -> Timestamps.read(rs, "latest")).list().stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
                if (notAfter == null || Duration.between(now, notAfter).compareTo(properties.responderValidity().dividedBy(2)) < 0) {
                    KeyPair keys = KeySpec.EC_P256.generate(random);
                    IssuedCertificate issued = issuance.issueOcspResponder(issuer.name(), keys, properties.responderValidity(), "system");
                    jdbc.sql("INSERT INTO ocsp_responder (certificate_id, issuer_name, not_after) VALUES (:id, :issuer, :notAfter)")
                            .param("id", issued.certificateId()).param("issuer", issuer.name())
                            .param("notAfter", Timestamps.of(issued.certificate().getNotAfter().toInstant())).update();
                }
            } catch (RuntimeException e) {
                log.error("cannot renew the OCSP responder of issuer {}; the current one keeps signing", issuer.name(), e);
            }
        }
        load();
    }

    /** Installs the newest responder of each issuer on this node, if it is not the one installed. */
    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1M")
    void load() {
        for (Issuer issuer : ca.issuers()) {
            try {
                jdbc.sql("SELECT certificate_id FROM ocsp_responder WHERE issuer_name = :issuer ORDER BY certificate_id DESC LIMIT 1")
                        .param("issuer", issuer.name()).query(Long.class).optional()
                        .filter(id -> !id.equals(installed.get(issuer.name())))
                        .ifPresent(id -> {
                            var record = inventory.find(id).orElseThrow();
                            ca.installOcspResponder(issuer.name(), Pem.certificate(record.der()), issuance.ocspResponderKey(id));
                            installed.put(issuer.name(), id);
                            log.info("OCSP responder of {} is now serial {} (until {})", issuer.name(), record.serial(), record.notAfter());
                        });
            } catch (RuntimeException e) {
                log.error("cannot load the OCSP responder of issuer {}", issuer.name(), e);
            }
        }
    }
}
