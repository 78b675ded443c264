/**
 * Value types and codecs that every module shares: {@link dev.certwright.x509.Pem},
 * {@link dev.certwright.x509.SerialNumber}, {@link dev.certwright.x509.KeySpec},
 * {@link dev.certwright.x509.Fingerprint} and parsed views of certificates and CSRs.
 * It depends on no other module.
 */
@org.springframework.modulith.ApplicationModule(displayName = "x509", allowedDependencies = {})
package dev.certwright.x509;
