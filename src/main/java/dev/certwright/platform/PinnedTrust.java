package dev.certwright.platform;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS that trusts the given certificates and nothing else, with the JDK's usual path and host-name checks: an upstream
 * ACME directory's {@code trustBundle}, the backup command's {@code --cacert}. The opposite of {@code x509.AnyServerTrust}.
 */
public final class PinnedTrust {

    private PinnedTrust() {
    }

    /** An SSLContext whose only trust anchors are {@code anchors} (at least one). */
    public static SSLContext context(Collection<? extends Certificate> anchors) throws GeneralSecurityException {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("no certificate to trust");
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try {
            trust.load(null, null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an empty key store cannot be made", e);
        }
        int i = 0;
        for (Certificate certificate : anchors) {
            trust.setCertificateEntry("anchor-" + i++, certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
