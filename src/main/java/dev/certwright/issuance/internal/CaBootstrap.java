package dev.certwright.issuance.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.backup.RestoreAcknowledgement;
import dev.certwright.issuance.CaHierarchy;
import dev.certwright.platform.DataDirectory;
import dev.certwright.platform.JobBudgets;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.IssuancePolicy;

/**
 * Opens the CA at startup, creating it on first start, and brings its issuers in line with ca-config
 * ({@link CaHierarchy#start}). The encrypted keystore lives in the database, so that every node sharing it finds the
 * same CA; a node that loses the race to create it uses the winner's. The passphrase comes from
 * {@code CERTWRIGHT_CA_PASSPHRASE}, else from {@code <data-dir>/ca/passphrase}, which is generated (0600) only when no
 * CA exists yet. A node restored from a backup records the restore next ({@link RestoreAcknowledgement}).
 * Afterwards, PENDING rows left by a node that stopped mid-issuance are marked FAILED
 * ({@link PendingReconciliation}, which also runs as a job).
 */
@Component
class CaBootstrap implements InitializingBean {

    static final String PASSPHRASE_FILE = "ca/passphrase";
    private static final Logger log = LoggerFactory.getLogger(CaBootstrap.class);

    private final CaHierarchy hierarchy;
    private final IssuancePolicy policy;
    private final PendingReconciliation.Sweeper pendingSweeper;
    private final JobBudgets budgets;
    private final DataDirectory dataDirectory;
    private final TransactionTemplate transactions;
    private final AuditLog audit;
    private final RestoreAcknowledgement restores;
    private final String envPassphrase;

    CaBootstrap(CaHierarchy hierarchy, IssuancePolicy policy, PendingReconciliation.Sweeper pendingSweeper, JobBudgets budgets,
            DataDirectory dataDirectory, TransactionTemplate transactions, AuditLog audit, RestoreAcknowledgement restores,
            @Value("${CERTWRIGHT_CA_PASSPHRASE:}") String envPassphrase) {
        this.hierarchy = hierarchy;
        this.policy = policy;
        this.pendingSweeper = pendingSweeper;
        this.budgets = budgets;
        this.dataDirectory = dataDirectory;
        this.transactions = transactions;
        this.audit = audit;
        this.restores = restores;
        this.envPassphrase = envPassphrase;
    }

    @Override
    public void afterPropertiesSet() {
        char[] passphrase = hierarchy.exists() ? existingPassphrase() : newPassphrase();
        hierarchy.start(passphrase);
        // The chains are keyed from the CA (decision 45): key those that are not yet (an upgrade, or a new install).
        int keyed = audit.keyChains();
        if (keyed > 0) {
            log.info("keyed {} audit chains with a key derived from the CA's key-encryption key", keyed);
        }
        // A node restored from a backup records the restore before it serves (decision 69); the marker the restore left
        // is authenticated under the CA passphrase. Without one, this is a file lookup.
        restores.acknowledge(passphrase);
        auditConfiguration();
        // Before this node serves: rows a stopped node left PENDING. The job (PendingReconciliation) repeats this while it runs.
        pendingSweeper.run(budgets.start(Duration.ofSeconds(30)), "at startup");
    }

    /**
     * Records which CA configuration this node started with: the SHA-256 of the file's bytes, so that a change made
     * between restarts shows in the audit log.
     */
    private void auditConfiguration() {
        CaConfiguration configuration = policy.configuration();
        String digest;
        try {
            digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(Path.of(configuration.source()))));
        } catch (IOException | NoSuchAlgorithmException e) {
            digest = "unreadable";
        }
        String sha256 = digest;
        transactions.executeWithoutResult(tx -> audit.append("system", "config.loaded", "ca-config", configuration.source(),
                "sha256=" + sha256 + " issuers=" + configuration.issuers().size() + " profiles=" + configuration.profiles().keySet()));
        log.info("CA configuration {} loaded, SHA-256 {}", configuration.source(), sha256);
    }

    /** The passphrase of the stored CA keystore; also for opening it again after a KEK rotation (decision 68). */
    char[] existingPassphrase() {
        if (!envPassphrase.isEmpty()) {
            return envPassphrase.toCharArray();
        }
        return dataDirectory.readSecret(PASSPHRASE_FILE).map(String::toCharArray).orElseThrow(() -> new dev.certwright.platform.StartupException(
                "CERTWRIGHT_CA_PASSPHRASE is not set and " + dataDirectory.resolve(PASSPHRASE_FILE)
                        + " does not exist, but the database already holds a CA: give this node the CA passphrase"));
    }

    private char[] newPassphrase() {
        if (!envPassphrase.isEmpty()) {
            if (envPassphrase.length() < 12) {
                throw new dev.certwright.platform.StartupException("CERTWRIGHT_CA_PASSPHRASE must be at least 12 characters long");
            }
            return envPassphrase.toCharArray();
        }
        Optional<String> existing = dataDirectory.readSecret(PASSPHRASE_FILE);
        if (existing.isPresent()) {
            return existing.get().toCharArray();
        }
        String generated = dataDirectory.createSecret(PASSPHRASE_FILE);
        log.warn("CERTWRIGHT_CA_PASSPHRASE is not set: generated a CA passphrase into {} (development set-up; set the variable in production)",
                dataDirectory.resolve(PASSPHRASE_FILE));
        return generated.toCharArray();
    }
}
