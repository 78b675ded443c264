package dev.certwright.revocation;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.CrlDraft;
import dev.certwright.ca.Issuer;
import dev.certwright.inventory.RevocationRecords;
import dev.certwright.revocation.CrlStore.Kind;
import dev.certwright.revocation.CrlStore.Published;

/**
 * Publishes each issuer's CRLs (RFC 5280 §5), run by the Quartz job {@link CrlPublishJob} on one node at a time:
 * <ul>
 * <li>a full CRL on schedule, at half its life, and within the publish delay after a revocation;</li>
 * <li>a delta CRL (§5.2.4) whenever the revocation state moved past the last one, and at half its life. Its base is
 * the last full CRL published on schedule, so a relying party that cached that one can apply the delta to it.</li>
 * </ul>
 * A CRL is built into a temporary file under {@link CrlWorkDirectory} (entries streamed from the database), stored in
 * one insert, and only then becomes the one served: the previous CRL is served until the new one is complete.
 */
@Service
class CrlPublisher {

    private static final Logger log = LoggerFactory.getLogger(CrlPublisher.class);

    private final CertificateAuthority ca;
    private final RevocationRecords records;
    private final CrlStore store;
    private final TransactionTemplate transactions;
    private final RevocationProperties.Crl properties;
    private final CrlWorkDirectory work;
    private final Clock clock;

    CrlPublisher(CertificateAuthority ca, RevocationRecords records, CrlStore store, TransactionTemplate transactions,
            RevocationProperties.Crl properties, CrlWorkDirectory work, Clock clock) {
        this.ca = ca;
        this.records = records;
        this.store = store;
        this.transactions = transactions;
        this.properties = properties;
        this.work = work;
        this.clock = clock;
    }

    /** Publishes what is due for every issuer. One issuer's failure does not stop the others. */
    void publishDue() {
        for (Issuer issuer : ca.issuers()) {
            try {
                publishDue(issuer.name());
            } catch (RuntimeException e) {
                log.error("publishing the CRLs of issuer {} failed; the previous ones are still served", issuer.name(), e);
            }
        }
    }

    /** Publishes the issuer's full and delta CRLs if due. */
    void publishDue(String issuer) {
        Instant now = clock.instant();
        long revision = records.revision(issuer);
        Optional<Published> full = store.latest(issuer, Kind.FULL);
        Optional<Published> base = store.latestBase(issuer);
        if (base.isEmpty() || halfLifePassed(base.get(), now)) {
            // On schedule: a new base for the deltas.
            full = Optional.of(publish(issuer, Kind.FULL, null, true));
            base = full;
        } else if (full.isEmpty() || revision > full.get().revision() || halfLifePassed(full.get(), now)) {
            full = Optional.of(publish(issuer, Kind.FULL, null, false));
        }
        Optional<Published> delta = store.latest(issuer, Kind.DELTA);
        if (delta.isEmpty() || revision > delta.get().revision() || halfLifePassed(delta.get(), now)
                || !delta.get().baseNumber().equals(base.get().number())) {
            publish(issuer, Kind.DELTA, base.get(), false);
        }
        store.prune(issuer);
    }

    /**
     * Publishes a new full CRL (a new delta base) and a delta for every issuer now, due or not. After a restore from an
     * older backup (decision 69) the stored CRLs are the backup's: relying parties may hold later ones, with higher
     * numbers. The new ones are numbered above every number published before ({@link CrlStore#nextNumber}, RFC 5280
     * §5.2.3, one sequence for full and delta CRLs, §5.2.4), so that they supersede whatever a relying party has, instead
     * of the node serving an older CRL until the next one falls due.
     */
    void republishAll() {
        for (Issuer issuer : ca.issuers()) {
            try {
                Published base = publish(issuer.name(), Kind.FULL, null, true);
                publish(issuer.name(), Kind.DELTA, base, false);
                store.prune(issuer.name());
            } catch (RuntimeException e) {
                log.error("republishing the CRLs of issuer {} failed; the next run of the job publishes what is due", issuer.name(), e);
            }
        }
    }

    private static boolean halfLifePassed(Published crl, Instant now) {
        Duration life = Duration.between(crl.thisUpdate(), crl.nextUpdate());
        return !now.isBefore(crl.thisUpdate().plus(life.dividedBy(2)));
    }

    /** Builds, signs and stores one CRL. A delta lists the changes after its base's revision. */
    private Published publish(String issuer, Kind kind, Published base, boolean scheduled) {
        long started = System.nanoTime();
        Instant thisUpdate = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant nextUpdate = thisUpdate.plus(kind == Kind.FULL ? properties.validity() : properties.deltaValidity());
        long number = store.nextNumber(issuer, clock.millis());
        long[] buildMillis = {0};
        Path file = work.newFile("certwright-" + issuer + "-", ".crl");
        try {
            Published built = transactions.execute(tx -> {
                // The revision is read before the entries: whatever the entries miss came after it, and moves it on.
                long revision = records.revision(issuer);
                try (CrlDraft draft = ca.newCrl(issuer, number, thisUpdate, nextUpdate, kind == Kind.DELTA ? base.number() : null,
                        work.path());
                        OutputStream out = Files.newOutputStream(file)) {
                    if (kind == Kind.FULL) {
                        records.forEachRevoked(issuer, line -> draft.add(line.serial(), Instant.ofEpochSecond(line.epochSecond()), line.reason()));
                    } else {
                        // RFC 5280 §5.3.1: a released hold comes as removeFromCRL, which only delta CRLs carry.
                        records.forEachChangeSince(issuer, base.revision(),
                                line -> draft.add(line.serial(), Instant.ofEpochSecond(line.epochSecond()), line.reason()));
                    }
                    buildMillis[0] = (System.nanoTime() - started) / 1_000_000;
                    long size = draft.writeTo(out);
                    return new Published(issuer, number, kind, kind == Kind.DELTA ? base.number() : null, thisUpdate, nextUpdate, revision,
                            draft.entries(), size, scheduled);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            transactions.executeWithoutResult(tx -> store.insert(built, file));
            log.info("published {} CRL {} of {}: {} entries, {} bytes, next update {} ({} ms; entries read and encoded in {} ms)",
                    kind == Kind.FULL ? "full" : "delta", number, issuer, built.entries(), built.sizeBytes(), nextUpdate,
                    (System.nanoTime() - started) / 1_000_000, buildMillis[0]);
            return built;
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("cannot delete the CRL build file {}; it is removed at the next start: {}", file, e.getMessage());
            }
        }
    }
}
