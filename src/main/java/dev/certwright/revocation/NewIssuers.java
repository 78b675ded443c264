package dev.certwright.revocation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.certwright.issuance.IssuersChanged;

/**
 * Gives an issuer that just became able to sign (added by a reload, its certificate installed) its OCSP responder and
 * first CRLs right away, on the node that made the change; the jobs would otherwise do it within a minute, and every
 * other node loads the responder at its next check.
 */
@Component
class NewIssuers {

    private static final Logger log = LoggerFactory.getLogger(NewIssuers.class);

    private final OcspResponders responders;
    private final CrlPublisher crls;

    NewIssuers(OcspResponders responders, CrlPublisher crls) {
        this.responders = responders;
        this.crls = crls;
    }

    @EventListener
    void on(IssuersChanged changed) {
        try {
            responders.renewDue();
            crls.publishDue();
        } catch (RuntimeException e) {
            log.warn("could not serve new issuers {} at once; the jobs will: {}", changed.issuers(), e.toString());
        }
    }
}
