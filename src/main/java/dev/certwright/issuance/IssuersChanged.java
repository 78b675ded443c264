package dev.certwright.issuance;

import java.util.List;

/**
 * The issuers this node signs with changed (one added by a reload, a certificate installed, another node's change
 * picked up): revocation then gives new issuers their CRLs and OCSP responders at once instead of at its next run.
 *
 * @param issuers the generation names now installed
 */
public record IssuersChanged(List<String> issuers) {
}
