package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Openssl;

/**
 * Managed certificates with keys the server holds (stored wrapped under a KEK), a service token that reads them, and
 * each bundle as it was first served: what a KEK rotation must leave unchanged, byte for byte, for every service.
 */
final class ServiceBundles {

    private final Supplier<CertwrightProcess> app;
    /** The service token that reads these slots' bundles. */
    final String token;
    /** Each slot's bundle as first served, by slot name. */
    final Map<String, String> bundles = new LinkedHashMap<>();

    private ServiceBundles(Supplier<CertwrightProcess> app, String token) {
        this.app = app;
        this.token = token;
    }

    /**
     * Creates {@code count} slots named {@code <prefix>-<i>} under the profile, their key algorithms taken in turn from
     * the list, and a service token for them; reads each bundle once and checks that its key is its certificate's.
     *
     * @param app the node to ask (a supplier: a test may restart it)
     */
    static ServiceBundles create(Supplier<CertwrightProcess> app, String admin, String prefix, int count, String profile, String owner,
            List<String> keyAlgorithms) throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i;
            Response created = app.get().postJson("/api/v1/managed-certificates", admin, Map.of("name", name, "profile", profile,
                    "dnsNames", List.of(name + ".test"), "owner", owner, "keyAlgorithm", keyAlgorithms.get(i % keyAlgorithms.size())));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            names.add(name);
        }
        Response service = app.get().postJson("/api/v1/service-tokens", admin, Map.of("name", prefix + "-service", "managedCertificates", names));
        assertThat(service.status()).as(service.toString()).isEqualTo(201);
        ServiceBundles slots = new ServiceBundles(app, service.json().get("token").asString());
        for (String name : names) {
            Response bundle = app.get().get("/api/v1/managed-certificates/" + name + "/bundle", slots.token);
            assertThat(bundle.status()).as(bundle.toString()).isEqualTo(200);
            assertKeyMatchesCertificate(bundle.body());
            slots.bundles.put(name, bundle.body());
        }
        return slots;
    }

    /** Each slot's bundle is the one served before, byte for byte, and its key signs what its certificate verifies. */
    void assertServedAsBefore() throws Exception {
        for (Map.Entry<String, String> slot : bundles.entrySet()) {
            Response bundle = app.get().get("/api/v1/managed-certificates/" + slot.getKey() + "/bundle", token);
            assertThat(bundle.status()).as(slot.getKey() + " " + bundle).isEqualTo(200);
            assertThat(bundle.body()).as(slot.getKey()).isEqualTo(slot.getValue());
            assertKeyMatchesCertificate(bundle.body());
        }
    }

    /** The bundle's private key signs a message that the bundle's leaf certificate's public key verifies. */
    static void assertKeyMatchesCertificate(String pem) throws Exception {
        X509Certificate leaf = Openssl.parse(pem.substring(0, pem.indexOf("-----END CERTIFICATE-----") + 25));
        PrivateKey key;
        try (PEMParser parser = new PEMParser(new StringReader(pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----"))))) {
            key = new JcaPEMKeyConverter().getPrivateKey(PrivateKeyInfo.getInstance(parser.readObject()));
        }
        String algorithm = switch (leaf.getPublicKey().getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> "Ed25519";
        };
        byte[] message = "the key still belongs to its certificate".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(message);
        assertThat(verifier.verify(signature)).as("the key of %s", leaf.getSubjectX500Principal()).isTrue();
    }
}
