package dev.certwright.revocation;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.event.TransactionalEventListener;

import dev.certwright.inventory.RevocationRecords;
import dev.certwright.inventory.RevocationRecords.IssuedEntry;
import dev.certwright.issuance.CertificateHoldReleased;
import dev.certwright.issuance.CertificateRevoked;
import dev.certwright.platform.JobBudgets;
import dev.certwright.x509.SerialNumber;

/**
 * Keeps a fresh pre-signed OCSP response for every unexpired certificate we issued (RFC 5019), run by the Quartz job
 * {@link OcspPresignJob}: responses for certificates issued since the last run, then those past half their life. A
 * revocation drops the certificate's response inside the revoking transaction (so no node can serve "good" from it
 * afterwards) and signs the new one as soon as the transaction commits.
 */
@Service
class OcspPresigner {

    static final int BATCH = 500;
    private static final Logger log = LoggerFactory.getLogger(OcspPresigner.class);

    private final OcspResponder responder;
    private final OcspResponders responders;
    private final OcspResponseStore store;
    private final OcspEndpoint endpoint;
    private final RevocationRecords records;
    private final Clock clock;

    OcspPresigner(OcspResponder responder, OcspResponders responders, OcspResponseStore store, OcspEndpoint endpoint,
            RevocationRecords records, Clock clock) {
        this.responder = responder;
        this.responders = responders;
        this.store = store;
        this.endpoint = endpoint;
        this.records = records;
        this.clock = clock;
    }

    /** One run of the job, bounded in time so that a large backlog is worked off over several runs. */
    void run(JobBudgets.Budget budget) {
        responders.renewDue();
        int signed = 0;
        long lastId = store.lastPresignedId();
        while (budget.remains()) {
            List<IssuedEntry> batch = records.issuedAfter(lastId, BATCH);
            if (batch.isEmpty()) {
                break;
            }
            Instant now = clock.instant();
            for (IssuedEntry e : batch) {
                if (responder.hasResponder(e.issuerName()) && (e.entry().notAfter() == null || e.entry().notAfter().isAfter(now))) {
                    responder.presign(e.issuerName(), e.entry());
                    signed++;
                }
            }
            lastId = batch.get(batch.size() - 1).entry().id();
            store.setLastPresignedId(lastId);
        }
        int refreshed = 0;
        while (budget.remains()) {
            Instant now = clock.instant();
            List<OcspResponseStore.Key> due = store.dueForRefresh(now, BATCH);
            if (due.isEmpty()) {
                break;
            }
            for (OcspResponseStore.Key key : due) {
                var entry = records.find(key.issuer(), SerialNumber.parse(key.serial()));
                if (entry.isEmpty() || (entry.get().notAfter() != null && !entry.get().notAfter().isAfter(now))
                        || !responder.hasResponder(key.issuer())) {
                    store.delete(key.issuer(), key.serial()); // expired: answered live if ever asked again
                } else {
                    responder.presign(key.issuer(), entry.get());
                    refreshed++;
                }
            }
        }
        if (signed + refreshed > 0) {
            log.info("pre-signed {} new and refreshed {} OCSP responses", signed, refreshed);
        }
    }

    /** In the revoking transaction: the old answer must not be served again. */
    @EventListener
    void dropOnRevocation(CertificateRevoked revoked) {
        store.delete(revoked.issuer(), revoked.serial());
    }

    @EventListener
    void dropOnRelease(CertificateHoldReleased released) {
        store.delete(released.issuer(), released.serial());
    }

    /** After commit: sign the new answer now, and forget this node's memory of the old one. */
    @TransactionalEventListener
    void signAfterRevocation(CertificateRevoked revoked) {
        refresh(revoked.issuer(), revoked.serial());
    }

    @TransactionalEventListener
    void signAfterRelease(CertificateHoldReleased released) {
        refresh(released.issuer(), released.serial());
    }

    private void refresh(String issuer, String serial) {
        endpoint.forget();
        try {
            records.find(issuer, SerialNumber.parse(serial)).ifPresent(entry -> {
                if (responder.hasResponder(issuer)) {
                    responder.presign(issuer, entry);
                }
            });
        } catch (RuntimeException e) {
            log.warn("could not pre-sign the OCSP response of serial {} now; it is signed on the next request", serial, e);
        }
    }
}
