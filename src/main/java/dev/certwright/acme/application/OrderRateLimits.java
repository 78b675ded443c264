package dev.certwright.acme.application;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.domain.Account;
import dev.certwright.acme.domain.Identifier;
import dev.certwright.acme.store.RateLimitStore;
import dev.certwright.acme.web.AcmeException;
import dev.certwright.acme.web.AcmeProblem;

/**
 * RFC 8555 §6.6 rate limits on newOrder, per account and per identifier (a wildcard counts as its base name), each a
 * GCRA bucket shared by all nodes: {@code orders-per-account} per {@code orders-per-account-window}, and the same for
 * identifiers. A refusal is rateLimited with Retry-After (when the next order fits), and takes nothing from the other
 * buckets: all are taken in one transaction.
 */
@Component
class OrderRateLimits {

    private final RateLimitStore rateLimits;
    private final AcmeProperties properties;
    private final TransactionTemplate transactions;
    private final Clock clock;

    OrderRateLimits(RateLimitStore rateLimits, AcmeProperties properties, TransactionTemplate transactions, Clock clock) {
        this.rateLimits = rateLimits;
        this.properties = properties;
        this.transactions = transactions;
        this.clock = clock;
    }

    void take(Account account, Set<Identifier> identifiers) {
        Instant now = clock.instant();
        transactions.executeWithoutResult(status -> {
            rateLimits.take("account:" + account.id(), properties.ordersPerAccount(), properties.ordersPerAccountWindow(), now)
                    .ifPresent(wait -> {
                        throw new AcmeException(AcmeProblem.rateLimited, "this account may create " + properties.ordersPerAccount()
                                + " orders per " + properties.ordersPerAccountWindow()).retryAfter(wait);
                    });
            // One bucket per base name, taken in name order so that concurrent transactions lock rows in one order.
            SortedMap<String, Identifier> bases = new TreeMap<>();
            identifiers.forEach(i -> bases.putIfAbsent(i.base().value(), i));
            for (Map.Entry<String, Identifier> base : bases.entrySet()) {
                String value = base.getKey();
                Identifier identifier = base.getValue();
                rateLimits.take("identifier:" + value, properties.ordersPerIdentifier(), properties.ordersPerIdentifierWindow(), now)
                        .ifPresent(wait -> {
                            throw new AcmeException(AcmeProblem.rateLimited, properties.ordersPerIdentifier() + " orders may name " + value
                                    + " per " + properties.ordersPerIdentifierWindow(), Map.of("subproblems", List.of(
                                            AcmeException.subproblem(AcmeProblem.rateLimited, "too many recent orders", identifier.type().text(),
                                                    value))))
                                    .retryAfter(wait);
                        });
            }
        });
    }
}
