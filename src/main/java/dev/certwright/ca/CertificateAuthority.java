package dev.certwright.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.IssuerDefinition;
import dev.certwright.x509.SerialNumber;

/**
 * The certificate authority: the loaded issuers. It creates a hierarchy (and a fresh key-encryption key, kept in the
 * same keystore) from the configuration, opens an existing keystore, and signs certificates, CRLs and OCSP responses.
 * It does not use the key-encryption key: {@link #install} hands it back for the {@code keys} module.
 */
@Component
public class CertificateAuthority {

    private final Clock clock;
    private final SecureRandom random;
    private final CertificateSigner signer;
    private volatile Map<String, Issuer> issuers = Map.of();
    private final Map<String, Responder> responders = new ConcurrentHashMap<>();
    private volatile boolean installed;

    public CertificateAuthority(Clock clock, SecureRandom random,
            @Value("${certwright.public-http-url:http://localhost:${certwright.http-port:8080}}") String publicHttpUrl) {
        this.clock = clock;
        this.random = random;
        this.signer = new CertificateSigner(publicHttpUrl);
    }

    /**
     * Creates every configured issuer, roots self-signed and intermediates signed by their parents, and a fresh
     * key-encryption key, and returns them as an encrypted keystore. Nothing is installed yet.
     */
    public CaKeystore createKeystore(CaConfiguration configuration, char[] passphrase) {
        Map<String, Issuer> created = new LinkedHashMap<>();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        for (IssuerDefinition definition : configuration.issuers()) {
            KeyPair keys = definition.keyAlgorithm().generate(random);
            X500Name subject = new X500Name(definition.subject());
            Instant notAfter = now.plus(definition.validity());
            X509Certificate certificate;
            List<X509Certificate> chain;
            if (definition.root()) {
                certificate = signer.root(subject, keys.getPublic(), keys.getPrivate(), SerialNumber.random(random).value(), now, notAfter, definition.pathLength());
                chain = List.of(certificate);
            } else {
                Issuer parent = created.get(definition.parent());
                if (notAfter.isAfter(parent.certificate().getNotAfter().toInstant())) {
                    notAfter = parent.certificate().getNotAfter().toInstant();
                }
                certificate = signer.intermediate(parent, subject, keys.getPublic(), SerialNumber.random(random).value(), now, notAfter, definition.pathLength());
                chain = new ArrayList<>();
                chain.add(certificate);
                chain.addAll(parent.chain());
            }
            created.put(definition.name(), new Issuer(definition.name(), chain, keys.getPrivate()));
        }
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, random);
            return CaKeystore.create(created, generator.generateKey(), passphrase, random);
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot create the key-encryption key", e);
        }
    }

    /**
     * Opens the keystore and makes its issuers current. Every configured issuer must be in it. Returns the keystore's
     * key-encryption key, which the CA does not use: the caller hands it to the {@code keys} module.
     */
    public SecretKey install(CaKeystore keystore, char[] passphrase, CaConfiguration configuration) {
        CaKeystore.Contents contents = keystore.open(passphrase);
        for (IssuerDefinition definition : configuration.issuers()) {
            if (!contents.issuers().containsKey(definition.name())) {
                throw new CaException(CaException.Type.KEYSTORE, configuration.source() + ": issuers." + definition.name()
                        + " is configured but is not in the CA keystore stored in the database; "
                        + "the keystore holds " + contents.issuers().keySet());
            }
        }
        this.issuers = Map.copyOf(contents.issuers());
        this.installed = true;
        return contents.kek();
    }

    /** Whether a keystore has been installed. */
    public boolean installed() {
        return installed;
    }

    /** The named issuer, or UNKNOWN_ISSUER. */
    public Issuer issuer(String name) {
        Issuer issuer = issuers.get(name);
        if (issuer == null) {
            throw new CaException(installed() ? CaException.Type.UNKNOWN_ISSUER : CaException.Type.NOT_INSTALLED, "no issuer named '" + name + "'");
        }
        return issuer;
    }

    /** All issuers, roots first. */
    public Collection<Issuer> issuers() {
        return issuers.values().stream().sorted(java.util.Comparator.comparingInt((Issuer i) -> i.chain().size()).thenComparing(Issuer::name)).toList();
    }

    /** Builds and signs a leaf certificate. The caller has recorded the serial first. */
    public X509Certificate sign(CertificateTemplate template) {
        Issuer issuer = issuer(template.issuer());
        if (template.notAfter().isAfter(issuer.certificate().getNotAfter().toInstant())) {
            throw new CaException(CaException.Type.SIGNING, "the certificate would outlive its issuer " + issuer.name()
                    + ", which expires " + issuer.certificate().getNotAfter().toInstant());
        }
        return signer.leaf(issuer, template);
    }

    /**
     * Starts a CRL signed by the issuer (RFC 5280 §5): CRL number, AKI, and either the Delta CRL Indicator naming
     * the base CRL's number (a delta CRL, §5.2.4) or a Freshest CRL pointer to the issuer's delta CRL (a full CRL,
     * §5.2.6). Entries are added to the returned draft, which then signs and writes itself.
     */
    public CrlDraft newCrl(String issuerName, long crlNumber, Instant thisUpdate, Instant nextUpdate, Long deltaBaseNumber) {
        return newCrl(issuerName, crlNumber, thisUpdate, nextUpdate, deltaBaseNumber, null);
    }

    /** As {@link #newCrl(String, long, Instant, Instant, Long)}, with the draft's temporary file in {@code workDirectory}. */
    public CrlDraft newCrl(String issuerName, long crlNumber, Instant thisUpdate, Instant nextUpdate, Long deltaBaseNumber,
            java.nio.file.Path workDirectory) {
        Issuer issuer = issuer(issuerName);
        try {
            List<Extension> extensions = new ArrayList<>();
            extensions.add(new Extension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.certificate().getPublicKey())
                            .getEncoded()));
            extensions.add(new Extension(Extension.cRLNumber, false,
                    new CRLNumber(BigInteger.valueOf(crlNumber)).getEncoded()));
            if (deltaBaseNumber != null) {
                // RFC 5280 §5.2.4: the Delta CRL Indicator is critical.
                extensions.add(new Extension(Extension.deltaCRLIndicator, true,
                        new CRLNumber(BigInteger.valueOf(deltaBaseNumber)).getEncoded()));
            } else {
                // RFC 5280 §5.2.6: Freshest CRL, non-critical, points at the delta CRL.
                extensions.add(new Extension(Extension.freshestCRL, false,
                        signer.distributionPoints(signer.deltaCrlUrl(issuerName)).getEncoded()));
            }
            var contentSigner = new JcaContentSignerBuilder(issuer.keySpec().signatureAlgorithm()).build(issuer.key());
            return new CrlDraft(contentSigner, X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                    thisUpdate, nextUpdate, extensions, workDirectory);
        } catch (CaException e) {
            throw e;
        } catch (Exception e) {
            throw new CaException(CaException.Type.SIGNING, "cannot start a CRL for issuer " + issuerName, e);
        }
    }

    /**
     * Signs a delegated OCSP responder certificate for the issuer (RFC 6960 §4.2.2.2). The caller has recorded the
     * serial first.
     */
    public X509Certificate signOcspResponderCertificate(String issuerName, PublicKey publicKey, SerialNumber serial,
            Instant notBefore, Instant notAfter) {
        Issuer issuer = issuer(issuerName);
        if (notAfter.isAfter(issuer.certificate().getNotAfter().toInstant())) {
            notAfter = issuer.certificate().getNotAfter().toInstant();
        }
        return OcspSigning.responderCertificate(issuer, publicKey, serial.value(), notBefore, notAfter);
    }

    /** Makes this certificate and key the issuer's OCSP responder on this node. */
    public void installOcspResponder(String issuerName, X509Certificate certificate, PrivateKey key) {
        issuer(issuerName);
        responders.put(issuerName, new Responder(certificate, key));
    }

    /** The issuer's OCSP responder certificate on this node, if one is installed. */
    public Optional<X509Certificate> ocspResponder(String issuerName) {
        return Optional.ofNullable(responders.get(issuerName)).map(Responder::certificate);
    }

    /**
     * Signs an OCSP response for the issuer with its delegated responder. nextUpdate never passes the responder
     * certificate's notAfter, so that no response outlives the key that signed it.
     */
    public byte[] signOcspResponse(String issuerName, List<OcspAnswer> answers, Instant thisUpdate, Instant nextUpdate, byte[] nonce,
            Instant producedAt) {
        Responder responder = responders.get(issuerName);
        if (responder == null) {
            throw new CaException(CaException.Type.NOT_INSTALLED, "issuer " + issuerName + " has no OCSP responder yet");
        }
        Instant limit = responder.certificate().getNotAfter().toInstant();
        return OcspSigning.sign(responder.certificate(), responder.key(), answers, thisUpdate, nextUpdate.isAfter(limit) ? limit : nextUpdate,
                nonce, producedAt);
    }

    private record Responder(X509Certificate certificate, PrivateKey key) {
    }
}
