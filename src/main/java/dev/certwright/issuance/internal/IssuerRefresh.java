package dev.certwright.issuance.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.certwright.issuance.CaHierarchy;

/**
 * On every node, picks up issuer changes made on another one (an issuer added by a reload, a certificate installed,
 * a rollover), so that all nodes sign with the same generations: a cheap check of the keystore's version and the
 * registry's rows every {@code certwright.ca.refresh-interval} (default 15 s).
 */
@Component
class IssuerRefresh {

    private static final Logger log = LoggerFactory.getLogger(IssuerRefresh.class);

    private final CaHierarchy hierarchy;

    IssuerRefresh(CaHierarchy hierarchy) {
        this.hierarchy = hierarchy;
    }

    @Scheduled(initialDelayString = "${certwright.ca.refresh-interval:PT15S}", fixedDelayString = "${certwright.ca.refresh-interval:PT15S}")
    void refresh() {
        try {
            hierarchy.refresh();
        } catch (RuntimeException e) {
            log.error("could not refresh the issuer registry; will retry", e);
        }
    }
}
