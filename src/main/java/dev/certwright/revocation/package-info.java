/**
 * Revocation as relying parties see it: full and delta CRLs (RFC 5280 §5) published by a Quartz job and served over
 * plain HTTP, and the OCSP responder (RFC 6960, RFC 5019 for GET) with delegated responder certificates and a cache of
 * pre-signed responses. It reacts to {@code CertificateRevoked} from {@code issuance} in the revoking transaction, and
 * republishes every CRL when {@code backup} says this start recorded a restore.
 */
@org.springframework.modulith.ApplicationModule(displayName = "revocation",
        allowedDependencies = {"x509", "ca", "inventory", "issuance", "platform", "backup"})
package dev.certwright.revocation;
