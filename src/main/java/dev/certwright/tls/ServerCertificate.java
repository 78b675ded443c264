package dev.certwright.tls;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.certwright.inventory.InventoryException;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.ManagedBundle;
import dev.certwright.issuance.ManagedCertificateService;
import dev.certwright.issuance.ManagedCertificateSpec;
import dev.certwright.x509.Fingerprint;

/**
 * Issues and serves the HTTPS listener's certificate, a managed certificate that the renewal job renews when less than
 * a third of its life is left; every node reloads the bundle when the database's current instance differs from the one
 * it serves.
 */
@Component
class ServerCertificate implements SslBundleRegistrar {

    static final String NAME = "certwright-server";
    static final String BUNDLE = "certwright-server";
    private static final Logger log = LoggerFactory.getLogger(ServerCertificate.class);

    private final ManagedCertificateService managed;
    private final SecureRandom random;
    private final List<String> dnsNames;
    private final List<String> ipAddresses;
    private final String profile;
    private final Duration validity;
    private volatile SslBundleRegistry registry;
    private volatile String servedSerial;

    ServerCertificate(ManagedCertificateService managed, SecureRandom random,
            @Value("${certwright.tls.dns-names:localhost}") List<String> dnsNames,
            @Value("${certwright.tls.ip-addresses:127.0.0.1}") List<String> ipAddresses,
            @Value("${certwright.tls.profile:tls-server}") String profile,
            @Value("${certwright.tls.validity:#{null}}") Duration validity) {
        this.managed = managed;
        this.random = random;
        this.dnsNames = dnsNames;
        this.ipAddresses = ipAddresses;
        this.profile = profile;
        this.validity = validity;
    }

    @Override
    public void registerBundles(SslBundleRegistry registry) {
        this.registry = registry;
        if (!ensureIssued()) {
            registry.registerBundle(BUNDLE, temporaryBundle());
            return;
        }
        ManagedBundle bundle = managed.currentBundle(NAME);
        registry.registerBundle(BUNDLE, toSslBundle(bundle));
        servedSerial = bundle.record().serial().hex();
    }

    /**
     * Issues the server certificate when there is none yet. False when its profile's issuer cannot sign yet (an
     * external issuer awaiting the certificate an offline root signs): the listener then serves a temporary
     * self-signed certificate, and {@link #check} issues the real one as soon as the issuer can.
     */
    private boolean ensureIssued() {
        if (managed.find(NAME).isPresent()) {
            return true;
        }
        try {
            managed.create(new ManagedCertificateSpec(NAME, profile, dnsNames, ipAddresses, "EC-P256", "certwright",
                    List.of("server"), validity, null, true, false, null, List.of()), "system");
            log.info("issued the server certificate for {} {}", dnsNames, ipAddresses);
        } catch (InventoryException e) {
            if (e.type() != InventoryException.Type.DUPLICATE) {
                throw e;
            }
            // Another node issued it a moment ago.
        } catch (IssuanceException e) {
            if (e.type() != IssuanceException.Type.ISSUER_NOT_READY) {
                throw e;
            }
            log.warn("the server certificate cannot be issued yet ({}); serving a temporary self-signed certificate until it can", e.getMessage());
            return false;
        }
        return true;
    }

    /**
     * Serves the current instance when it changed: the renewal job (module renewal) renews this slot like every other
     * managed certificate, on whichever node runs the job; every node picks the new instance up here.
     */
    @Scheduled(initialDelayString = "${certwright.tls.check-interval:PT1M}", fixedDelayString = "${certwright.tls.check-interval:PT1M}")
    void check() {
        try {
            if (!ensureIssued()) {
                return;
            }
            ManagedBundle bundle = managed.currentBundle(NAME);
            String serial = bundle.record().serial().hex();
            if (!serial.equals(servedSerial) && registry != null) {
                registry.updateBundle(BUNDLE, toSslBundle(bundle));
                servedSerial = serial;
                log.info("now serving server certificate serial {}", serial);
            }
        } catch (RuntimeException e) {
            log.error("server certificate check failed; will retry", e);
        }
    }

    /** A fresh P-256 key and a one-day self-signed certificate for the configured names; its fingerprint is logged. */
    private SslBundle temporaryBundle() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=Certwright (temporary: the server's issuer awaits its certificate)");
            Instant now = Instant.now();
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, random), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            log.warn("temporary server certificate SHA-256 fingerprint {}", Fingerprint.sha256(certificate.getEncoded()).sha256Hex());
            servedSerial = "temporary";
            return sslBundle(keys.getPrivate(), List.of(certificate));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the temporary server TLS bundle", e);
        }
    }

    private SslBundle toSslBundle(ManagedBundle bundle) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(bundle.certificate());
        chain.addAll(bundle.chain());
        return sslBundle(bundle.privateKey(), chain);
    }

    /** The key and chain as the SSL bundle the HTTPS connector serves, in a PKCS#12 with a random password of its own. */
    private SslBundle sslBundle(java.security.PrivateKey key, List<X509Certificate> chain) {
        try {
            byte[] secret = new byte[24];
            random.nextBytes(secret);
            String password = Base64.getEncoder().encodeToString(secret);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, password.toCharArray(), chain.toArray(Certificate[]::new));
            return SslBundle.of(SslStoreBundle.of(store, password, null), SslBundleKey.of(password, "server"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the server TLS bundle", e);
        }
    }
}
