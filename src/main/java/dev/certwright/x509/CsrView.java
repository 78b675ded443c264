package dev.certwright.x509;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A parsed, signature-checked PKCS#10 certificate request (RFC 2986): its common name, the DNS names
 * and IP addresses it asks for, and its public key.
 */
public record CsrView(String commonName, List<String> dnsNames, List<String> ipAddresses, PublicKey publicKey) {

    /** Largest CSR we read, PEM or DER: far above any real request, far below a memory problem. */
    public static final int MAX_LENGTH = 64 * 1024;

    /** Parses a PEM CSR and checks its self-signature (RFC 2986 §3: the requester proves possession of the key). */
    public static CsrView parsePem(String pem) {
        if (pem != null && pem.length() > MAX_LENGTH) {
            throw new X509Exception("the CSR is larger than " + MAX_LENGTH + " bytes");
        }
        return parseDer(Pem.decodeOne(pem, Pem.CERTIFICATE_REQUEST));
    }

    /** Parses a DER CSR and checks its self-signature. */
    public static CsrView parseDer(byte[] der) {
        Asn1Limits.check(der, MAX_LENGTH);
        JcaPKCS10CertificationRequest csr;
        PublicKey key;
        try {
            csr = new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(der));
            key = csr.getPublicKey();
        } catch (Exception e) {
            throw new X509Exception("the CSR is not a well-formed PKCS#10 request", e);
        }
        boolean valid;
        try {
            valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(CryptoProviders.verification()).build(key));
        } catch (Exception e) {
            valid = false;
        }
        if (!valid) {
            throw new X509Exception("the CSR signature does not verify with its public key");
        }
        Set<String> dns = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttributeValues()) {
                Extensions extensions = Extensions.getInstance(value);
                Extension san = extensions.getExtension(Extension.subjectAlternativeName);
                if (san == null) {
                    continue;
                }
                GeneralNames names = GeneralNames.getInstance(san.getParsedValue());
                for (GeneralName name : names.getNames()) {
                    switch (name.getTagNo()) {
                        case GeneralName.dNSName -> dns.add(name.getName().toString());
                        case GeneralName.iPAddress -> ips.add(ipText(ASN1OctetString.getInstance(name.getName()).getOctets()));
                        default -> throw new X509Exception("the CSR asks for a subject alternative name of a kind we do not issue (tag "
                                + name.getTagNo() + "); only DNS names and IP addresses are supported");
                    }
                }
            }
        }
        return new CsrView(commonName(csr.getSubject()), List.copyOf(dns), List.copyOf(ips), key);
    }

    private static String commonName(X500Name subject) {
        RDN[] cns = subject.getRDNs(BCStyle.CN);
        if (cns.length == 0) {
            return null;
        }
        if (cns.length > 1) {
            throw new X509Exception("the CSR subject has more than one common name");
        }
        return IETFUtils.valueToString(cns[0].getFirst().getValue());
    }

    private static String ipText(byte[] octets) {
        try {
            return IpAddresses.canonical(InetAddress.getByAddress(octets));
        } catch (UnknownHostException e) {
            throw new X509Exception("the CSR has an IP address SAN of " + octets.length + " octets");
        }
    }

    /** All requested names: DNS names and IPs, plus the CN when it is not already among them. */
    public List<String> allNames() {
        List<String> all = new ArrayList<>(dnsNames);
        all.addAll(ipAddresses);
        if (commonName != null && !all.contains(commonName)) {
            all.add(commonName);
        }
        return all;
    }
}
