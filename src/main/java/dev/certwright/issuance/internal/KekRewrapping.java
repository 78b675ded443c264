package dev.certwright.issuance.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.issuance.KekRotation;
import dev.certwright.keys.KeyException;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.keys.WrappedKeyStore;
import dev.certwright.platform.BudgetedJob;
import dev.certwright.platform.JobBudgets;
import dev.certwright.platform.QuartzSchedules;
import dev.certwright.platform.StartupException;

/**
 * The second half of a KEK rotation (decision 68): a clustered Quartz job that moves every stored key still under an
 * older KEK to the rotation's KEK, a batch per transaction. Progress is the rows themselves: a key is done when its row
 * names the new KEK, so a node killed mid-batch loses only that batch's uncommitted work, and whichever node runs the
 * job next continues. When no key is left to move it marks the rotation COMPLETED with its audit entry. A key that
 * cannot be unwrapped (altered bytes) is logged, left as it is, and counted as unreadable; it does not stop the others.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(KekRewrapping.KekProperties.class)
class KekRewrapping {

    private static final Logger log = LoggerFactory.getLogger(KekRewrapping.class);

    /**
     * {@code certwright.kek.*}.
     *
     * @param rewrapBatchSize keys re-wrapped per transaction
     * @param rewrapPause how long the job waits between two batches, to leave the database to other work
     * @param rewrapInterval how often the job looks for a rotation to continue (a rotation also fires it at once)
     */
    @ConfigurationProperties("certwright.kek")
    record KekProperties(@DefaultValue("100") int rewrapBatchSize, @DefaultValue("PT0S") Duration rewrapPause,
            @DefaultValue("PT1M") Duration rewrapInterval) {

        KekProperties {
            if (rewrapBatchSize < 1 || rewrapBatchSize > 10_000) {
                throw new StartupException("certwright.kek.rewrap-batch-size must be from 1 to 10000, not " + rewrapBatchSize);
            }
            if (rewrapPause.isNegative() || rewrapPause.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new StartupException("certwright.kek.rewrap-pause must be from PT0S to PT10S, not " + rewrapPause);
            }
            if (rewrapInterval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new StartupException("certwright.kek.rewrap-interval must be at least 1 second (PT1S), not " + rewrapInterval);
            }
        }
    }

    @Bean
    JobDetail kekRewrapJob() {
        return JobBuilder.newJob(KekRewrapJob.class).withIdentity(KekRotation.JOB_NAME, KekRotation.JOB_GROUP)
                .withDescription("Re-wraps the stored keys under the KEK of a rotation (POST /api/v1/kek/rotate)").storeDurably().build();
    }

    @Bean
    Trigger kekRewrapTrigger(KekProperties properties) {
        return QuartzSchedules.every(kekRewrapJob(), KekRotation.JOB_NAME, properties.rewrapInterval());
    }

    @Bean
    Rewrapper kekRewrapper(StoredKeystore stored, KeyWrapping keys, List<WrappedKeyStore> stores, TransactionTemplate transactions, AuditLog audit,
            Clock clock, KekProperties properties) {
        return new Rewrapper(stored, keys, stores, transactions, audit, clock, properties);
    }

    /** One firing's work: batches until no key is left under an older KEK, the budget is spent, or the node stops. */
    static final class Rewrapper {

        private final StoredKeystore stored;
        private final KeyWrapping keys;
        private final List<WrappedKeyStore> stores;
        private final TransactionTemplate transactions;
        private final AuditLog audit;
        private final Clock clock;
        private final KekProperties properties;

        Rewrapper(StoredKeystore stored, KeyWrapping keys, List<WrappedKeyStore> stores, TransactionTemplate transactions, AuditLog audit, Clock clock,
                KekProperties properties) {
            this.stored = stored;
            this.keys = keys;
            this.stores = List.copyOf(stores);
            this.transactions = transactions;
            this.audit = audit;
            this.clock = clock;
            this.properties = properties;
        }

        /** What one batch did; null when the rotation is no longer re-wrapping. */
        private record Batch(int rewrapped, int taken) {
        }

        void run(JobBudgets.Budget budget) {
            StoredKeystore.Rotation rotation = stored.rotation();
            if (rotation.state() != StoredKeystore.RotationState.REWRAPPING) {
                return;
            }
            stored.refresh(); // another node may have started it: this one must hold its KEK to wrap under it
            String target = rotation.kekId();
            if (!target.equals(keys.currentKeyEncryptionKeyId())) {
                log.error("the KEK rotation to {} cannot continue on this node: the stored CA keystore does not hold {}", target, target);
                return;
            }
            // Within this firing only: where each (kind, old KEK) walk has got to, and the keys that would not unwrap.
            Map<String, Long> cursors = new HashMap<>();
            Set<String> failed = new HashSet<>();
            long moved = 0;
            while (budget.remains()) {
                Batch batch = transactions.execute(tx -> batch(target, cursors, failed));
                if (batch == null) {
                    return; // completed or replaced meanwhile
                }
                moved += batch.rewrapped();
                if (batch.taken() == 0) {
                    if (Boolean.TRUE.equals(transactions.execute(tx -> complete(target, failed.size())))) {
                        return;
                    }
                    cursors.clear(); // keys appeared that this firing has not seen: walk again
                    failed.clear();
                    continue;
                }
                log.debug("re-wrapped {} keys under {}", batch.rewrapped(), target);
                if (!properties.rewrapPause().isZero() && !pause()) {
                    break;
                }
            }
            if (moved > 0) {
                log.info("re-wrapped {} stored keys under {} in this run; the rotation continues in the next", moved, target);
            }
        }

        /** One transaction: up to a batch of keys under older KEKs, from each kind of store in turn. */
        private Batch batch(String target, Map<String, Long> cursors, Set<String> failed) {
            StoredKeystore.Rotation locked = stored.lockRotation();
            if (locked.state() != StoredKeystore.RotationState.REWRAPPING || !locked.kekId().equals(target)) {
                return null;
            }
            int limit = properties.rewrapBatchSize();
            int taken = 0;
            int rewrapped = 0;
            for (WrappedKeyStore store : stores) {
                for (String from : keys.keyEncryptionKeyIds()) {
                    if (from.equals(target)) {
                        continue;
                    }
                    String walk = store.kind() + "/" + from;
                    while (taken < limit) {
                        List<WrappedKeyStore.StoredKey> rows = store.under(from, cursors.getOrDefault(walk, 0L), limit - taken);
                        if (rows.isEmpty()) {
                            break;
                        }
                        for (WrappedKeyStore.StoredKey row : rows) {
                            taken++;
                            cursors.put(walk, row.rowId());
                            try {
                                if (store.replace(row.rowId(), row.kekId(), keys.rewrap(row.kekId(), row.wrapped(), row.context()))) {
                                    rewrapped++;
                                }
                            } catch (KeyException e) {
                                failed.add(walk + "/" + row.rowId());
                                log.warn("{} row {} under {} cannot be unwrapped ({}); it stays under {}", store.kind(), row.rowId(), row.kekId(),
                                        e.getMessage(), row.kekId());
                            }
                        }
                    }
                }
            }
            if (rewrapped > 0) {
                stored.addRewrapped(rewrapped);
            }
            return new Batch(rewrapped, taken);
        }

        /**
         * Ends the rotation when every key still under another KEK is one this firing could not unwrap, or names a KEK
         * the keystore does not hold. False when others are left (they appeared after this firing passed).
         */
        private Boolean complete(String target, int failedHere) {
            StoredKeystore.Rotation locked = stored.lockRotation();
            if (locked.state() != StoredKeystore.RotationState.REWRAPPING || !locked.kekId().equals(target)) {
                return true;
            }
            KeyCensus census = KeyCensus.of(stores);
            long left = census.notUnder(target);
            long unknown = census.underNoneOf(keys.keyEncryptionKeyIds());
            if (left > failedHere + unknown) {
                return false;
            }
            Instant now = clock.instant();
            stored.complete(now, left);
            audit.append("system", "kek.rotation-completed", "kek", target, "rewrapped=" + locked.rewrapped() + " unreadable=" + left
                    + " now-under-" + target + " (" + census.under(target) + ") took=" + Duration.between(locked.startedAt(), now));
            if (left > 0) {
                log.warn("KEK rotation to {} completed: {} keys re-wrapped, {} could not be unwrapped and stay under their KEK", target,
                        locked.rewrapped(), left);
            } else {
                log.info("KEK rotation to {} completed: {} keys re-wrapped, none left under an older KEK", target, locked.rewrapped());
            }
            return true;
        }

        /** Waits between batches; false when the wait was cut short (the node is stopping). */
        private boolean pause() {
            try {
                Thread.sleep(properties.rewrapPause());
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}

/** Runs the {@link KekRewrapping.Rewrapper} for at most 50 seconds per firing, less when the node stops. */
@DisallowConcurrentExecution
class KekRewrapJob extends BudgetedJob {

    private final KekRewrapping.Rewrapper rewrapper;

    KekRewrapJob(KekRewrapping.Rewrapper rewrapper, JobBudgets budgets) {
        super(budgets);
        this.rewrapper = rewrapper;
    }

    @Override
    protected void run(JobBudgets.Budget budget) {
        rewrapper.run(budget);
    }
}
