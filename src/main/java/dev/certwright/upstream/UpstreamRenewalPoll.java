package dev.certwright.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.platform.JobBudgets;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.upstream.internal.UpstreamStore;
import dev.certwright.x509.Pem;

/**
 * Asks the upstream again about the renewal window of each slot's current instance it issued (RFC 9773 §4.3), when its
 * last answer's Retry-After (kept between {@code certwright.upstream.ari-poll-min} and {@code ari-poll-max}) has passed.
 * A window that moved is stored and audited, and renewal moves the slot's due time into it ({@code RenewalWindowChanged}):
 * an upstream that wants a certificate replaced early (a revocation on its side, a mis-issuance) gets its renewal.
 */
@Component
class UpstreamRenewalPoll {

    private static final Logger log = LoggerFactory.getLogger(UpstreamRenewalPoll.class);
    private static final int PAGE = 100;

    private final CertificateInventory inventory;
    private final IssuancePolicy policy;
    private final AcmeUpstreams upstreams;
    private final UpstreamStore store;
    private final UpstreamProperties properties;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final Clock clock;

    UpstreamRenewalPoll(CertificateInventory inventory, IssuancePolicy policy, AcmeUpstreams upstreams, UpstreamStore store,
            UpstreamProperties properties, AuditLog audit, TransactionTemplate transactions, Clock clock) {
        this.inventory = inventory;
        this.policy = policy;
        this.upstreams = upstreams;
        this.store = store;
        this.properties = properties;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Polls what is due; returns how many windows moved. */
    int run(JobBudgets.Budget budget) {
        int moved = 0;
        long after = 0;
        while (budget.remains()) {
            List<CertificateInventory.WindowedInstance> page = inventory.currentWithRenewalWindow(after, PAGE);
            if (page.isEmpty()) {
                break;
            }
            after = page.getLast().certificateId();
            Map<Long, Instant> next = store.nextPolls(page.stream().map(CertificateInventory.WindowedInstance::certificateId).toList());
            for (CertificateInventory.WindowedInstance instance : page) {
                Instant due = next.get(instance.certificateId());
                if (!budget.remains()) {
                    break;
                }
                if (due != null && due.isAfter(clock.instant())) {
                    continue;
                }
                if (poll(instance)) {
                    moved++;
                }
            }
        }
        store.removeStalePolls();
        return moved;
    }

    private boolean poll(CertificateInventory.WindowedInstance instance) {
        String upstream;
        try {
            upstream = policy.profile(instance.profile()).upstream();
        } catch (RuntimeException e) {
            upstream = null; // the profile left the configuration: its renewal says so
        }
        Instant now = clock.instant();
        if (upstream == null) {
            store.polled(instance.certificateId(), now.plus(properties.ariPollMax()));
            return false;
        }
        AcmeUpstreams.SuggestedWindow answer;
        try {
            answer = upstreams.renewalInfo(upstream, Pem.certificate(instance.der())).orElse(null);
        } catch (RuntimeException e) {
            log.warn("upstream {}: renewalInfo of {}'s current certificate failed; asked again in {}: {}", upstream, instance.managedName(),
                    properties.ariPollMin(), e.getMessage());
            store.polled(instance.certificateId(), now.plus(properties.ariPollMin()));
            return false;
        }
        Instant nextPoll = nextPoll(answer == null ? null : answer.retryAfter(), now, properties.ariPollMin(), properties.ariPollMax());
        if (answer == null || answer.start() == null || answer.end() == null
                || Objects.equals(instance.window(), new CertificateInventory.RenewalWindow(answer.start(), answer.end()))) {
            store.polled(instance.certificateId(), nextPoll);
            return false;
        }
        CertificateInventory.RenewalWindow window = new CertificateInventory.RenewalWindow(answer.start(), answer.end());
        String name = upstream;
        transactions.executeWithoutResult(tx -> {
            inventory.changeRenewalWindow(instance.certificateId(), instance.managedName(), window);
            audit.append("system", "upstream.renewal-window.changed", "upstream", name, "managed=" + instance.managedName() + " ariWindow="
                    + window.start() + "/" + window.end() + " was=" + instance.window().start() + "/" + instance.window().end()
                    + (answer.explanation() == null ? "" : " explanation=" + answer.explanation()));
            store.polled(instance.certificateId(), nextPoll);
        });
        log.info("upstream {} moved the renewal window of {}'s current certificate to {}/{}", upstream, instance.managedName(), window.start(),
                window.end());
        return true;
    }

    /** Retry-After kept within [min, max] from now; max when the upstream said nothing (RFC 9773 §4.3). */
    static Instant nextPoll(Instant retryAfter, Instant now, Duration min, Duration max) {
        if (retryAfter == null) {
            return now.plus(max);
        }
        Instant earliest = now.plus(min);
        Instant latest = now.plus(max);
        return retryAfter.isBefore(earliest) ? earliest : retryAfter.isAfter(latest) ? latest : retryAfter;
    }
}

/** The ARI poll job: every {@code certwright.upstream.ari-interval}, on one node of the cluster. */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
class UpstreamJobs {

    static final String GROUP = "upstream";

    @org.springframework.context.annotation.Bean
    org.quartz.JobDetail upstreamAriJob() {
        return org.quartz.JobBuilder.newJob(UpstreamAriJob.class).withIdentity("upstream-ari", GROUP)
                .withDescription("Polls the upstream ACME CAs' renewalInfo (RFC 9773) of current certificates and follows a moved window")
                .storeDurably().build();
    }

    @org.springframework.context.annotation.Bean
    org.quartz.Trigger upstreamAriTrigger(UpstreamProperties properties) {
        return dev.certwright.platform.QuartzSchedules.every(upstreamAriJob(), "upstream-ari", properties.ariInterval());
    }
}

/** Polls for at most one job budget per firing. */
@org.quartz.DisallowConcurrentExecution
class UpstreamAriJob extends dev.certwright.platform.BudgetedJob {

    private final UpstreamRenewalPoll poll;

    UpstreamAriJob(UpstreamRenewalPoll poll, JobBudgets budgets) {
        super(budgets);
        this.poll = poll;
    }

    @Override
    protected void run(JobBudgets.Budget budget) {
        poll.run(budget);
    }
}
