package dev.certwright.deploy.internal;

import java.security.PublicKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.certwright.deploy.DeployTarget;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.OnHostKeys;
import dev.certwright.x509.CsrView;
import dev.certwright.x509.X509Exception;

/**
 * On-host key mode: the slot's single target makes the key with its own openssl, beside the key file
 * ({@code <keyPath>.certwright-new}, mode 0600 by umask), and prints a CSR; Certwright checks the CSR's signature
 * (proof that the host holds the key) and returns its public key to issuance, which issues for it; the deployment that the issuance queues moves
 * the staged key into place with the certificate. The private key never crosses the network and is never stored here.
 * The command is fixed text with the key path single-quoted.
 */
@Component
class OnHostKeyMaker implements OnHostKeys {

    /** Suffix of the key made on the host and not yet installed. */
    static final String STAGED = ".certwright-new";
    private static final Logger log = LoggerFactory.getLogger(OnHostKeyMaker.class);

    private final DeployTargets targets;
    private final SshIdentity identity;
    private final SshDeployer deployer;

    OnHostKeyMaker(DeployTargets targets, SshIdentity identity, SshDeployer deployer) {
        this.targets = targets;
        this.identity = identity;
        this.deployer = deployer;
    }

    @Override
    public PublicKey makeKey(ManagedCertificate slot) {
        if (slot.targets().size() != 1) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "keyMode on-host needs exactly one target");
        }
        DeployTarget target = targets.find(slot.targets().get(0)).orElseThrow(() -> new IssuanceException(IssuanceException.Type.BAD_REQUEST,
                "no deployment target named '" + slot.targets().get(0) + "'"));
        String keyPath = target.paths().keyPath();
        if (keyPath == null || target.paths().combinedPemPath() != null) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "keyMode on-host needs a target with paths.keyPath and without "
                    + "paths.combinedPemPath: the key stays on the host, so Certwright cannot write a file that holds it");
        }
        String csrPem;
        try (SshDeployer.Connection connection = deployer.connect(target, identity.keyPair())) {
            csrPem = connection.exec(command(slot, keyPath + STAGED), "openssl on " + target.name());
        } catch (SshDeployer.StepFailed e) {
            throw new IssuanceException(IssuanceException.Type.UPSTREAM, "target '" + target.name() + "' could not make the key: " + e.getMessage());
        }
        CsrView csr;
        try {
            csr = CsrView.parsePem(csrPem);
        } catch (X509Exception e) {
            throw new IssuanceException(IssuanceException.Type.UPSTREAM, "target '" + target.name() + "' did not return a valid CSR: " + e.getMessage());
        }
        log.info("target {} made a new key for {}; issuing for it", target.name(), slot.name());
        return csr.publicKey();
    }

    /** {@code umask 077 && openssl genpkey ... -out '<staged>' && openssl req -new -key '<staged>' -subj '/CN=<name>'}. */
    static String command(ManagedCertificate slot, String staged) {
        String algorithm = switch (slot.keyAlgorithm()) {
            case "EC-P256" -> "-algorithm EC -pkeyopt ec_paramgen_curve:P-256";
            case "EC-P384" -> "-algorithm EC -pkeyopt ec_paramgen_curve:P-384";
            case "RSA-2048" -> "-algorithm RSA -pkeyopt rsa_keygen_bits:2048";
            case "RSA-3072" -> "-algorithm RSA -pkeyopt rsa_keygen_bits:3072";
            case "RSA-4096" -> "-algorithm RSA -pkeyopt rsa_keygen_bits:4096";
            case "Ed25519" -> "-algorithm ED25519";
            default -> throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "unknown key algorithm " + slot.keyAlgorithm());
        };
        String commonName = slot.dnsNames().isEmpty() ? "certwright" : slot.dnsNames().get(0);
        return "umask 077 && openssl genpkey " + algorithm + " -out " + SshDeployer.quote(staged) + " && openssl req -new -key "
                + SshDeployer.quote(staged) + " -subj " + SshDeployer.quote("/CN=" + commonName);
    }
}
