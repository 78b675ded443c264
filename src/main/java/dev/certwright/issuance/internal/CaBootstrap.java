package dev.certwright.issuance.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.backup.RestoreAcknowledgement;
import dev.certwright.ca.CaKeystore;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.Issuer;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.platform.DataDirectory;
import dev.certwright.platform.JobBudgets;
import dev.certwright.platform.Timestamps;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.Pem;

/**
 * Opens the CA at startup, creating it on first start. The encrypted keystore lives in the database, so that every
 * node sharing it finds the same CA; a node that loses the race to create it uses the winner's. The passphrase
 * comes from {@code CERTWRIGHT_CA_PASSPHRASE}, else from {@code <data-dir>/ca/passphrase}, which is generated (0600)
 * only when no CA exists yet. A node restored from a backup records the restore next ({@link RestoreAcknowledgement}).
 * Afterwards, PENDING rows left by a node that stopped mid-issuance are marked FAILED ({@link PendingReconciliation},
 * which also runs as a job).
 */
@Component
class CaBootstrap implements InitializingBean {

    static final String PASSPHRASE_FILE = "ca/passphrase";
    static final String KEYSTORE_BACKUP = "ca/ca-keystore.p12";
    private static final Logger log = LoggerFactory.getLogger(CaBootstrap.class);

    private final CertificateAuthority ca;
    private final KeyWrapping keys;
    private final CaConfiguration configuration;
    private final CertificateInventory inventory;
    private final PendingReconciliation.Sweeper pendingSweeper;
    private final JobBudgets budgets;
    private final DataDirectory dataDirectory;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final AuditLog audit;
    private final RestoreAcknowledgement restores;
    private final Clock clock;
    private final String envPassphrase;

    CaBootstrap(CertificateAuthority ca, KeyWrapping keys, CaConfiguration configuration, CertificateInventory inventory,
            PendingReconciliation.Sweeper pendingSweeper, JobBudgets budgets, DataDirectory dataDirectory,
            JdbcClient jdbc, TransactionTemplate transactions, AuditLog audit, RestoreAcknowledgement restores, Clock clock,
            @Value("${CERTWRIGHT_CA_PASSPHRASE:}") String envPassphrase) {
        this.ca = ca;
        this.keys = keys;
        this.configuration = configuration;
        this.inventory = inventory;
        this.pendingSweeper = pendingSweeper;
        this.budgets = budgets;
        this.dataDirectory = dataDirectory;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.audit = audit;
        this.restores = restores;
        this.clock = clock;
        this.envPassphrase = envPassphrase;
    }

    @Override
    public void afterPropertiesSet() {
        Optional<byte[]> stored = storedKeystore();
        char[] passphrase;
        if (stored.isPresent()) {
            passphrase = existingPassphrase();
            long started = System.nanoTime();
            keys.install(ca.install(CaKeystore.of(stored.get()), passphrase, configuration));
            log.info("CA opened from the database in {} ms: issuers {}", (System.nanoTime() - started) / 1_000_000,
                    ca.issuers().stream().map(Issuer::name).toList());
        } else {
            passphrase = create();
        }
        // The chains are keyed from the CA (decision 45): key those that are not yet (an upgrade, or a new install).
        int keyed = audit.keyChains();
        if (keyed > 0) {
            log.info("keyed {} audit chains with a key derived from the CA's key-encryption key", keyed);
        }
        // A node restored from a backup records the restore before it serves (decision 67); the marker the restore left
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

    /** Creates the CA and returns the passphrase its keystore is encrypted under. */
    private char[] create() {
        char[] passphrase = newPassphrase();
        CaKeystore keystore = ca.createKeystore(configuration, passphrase);
        boolean won;
        try {
            won = Boolean.TRUE.equals(transactions.execute(tx -> {
                jdbc.sql("INSERT INTO ca_keystore (id, keystore, created_at) VALUES (1, :ks, :now)")
                        .param("ks", keystore.bytes()).param("now", Timestamps.of(clock.instant())).update();
                keys.install(ca.install(keystore, passphrase, configuration));
                for (Issuer issuer : ca.issuers()) {
                    // issuer_name is the issuer that signed it: its parent, or itself for a root.
                    String signer = ca.issuers().stream().filter(p -> issuer.chain().size() > 1 && p.certificate().equals(issuer.chain().get(1)))
                            .map(Issuer::name).findFirst().orElse(issuer.name());
                    inventory.record(CertificateView.of(issuer.certificate()), Pem.encodeChain(issuer.chain().subList(1, issuer.chain().size())),
                            CertificateSource.CA, signer, "certwright", List.of("ca"), "system");
                }
                List<String> names = ca.issuers().stream().map(Issuer::name).toList();
                audit.append("system", "ca.created", "ca", String.join(",", names), "issuers=" + names + " config=" + configuration.source());
                return true;
            }));
        } catch (DuplicateKeyException e) {
            won = false;
        }
        if (!won) {
            log.info("another node created the CA first; opening it");
            keys.install(ca.install(CaKeystore.of(storedKeystore().orElseThrow()), passphrase, configuration));
            return passphrase;
        }
        try {
            dataDirectory.writePrivateFile(KEYSTORE_BACKUP, keystore.bytes());
        } catch (RuntimeException e) {
            log.warn("could not write the keystore backup {}: {}", dataDirectory.resolve(KEYSTORE_BACKUP), e.getMessage());
        }
        log.info("created CA issuers {} from {}", ca.issuers().stream().map(Issuer::name).toList(), configuration.source());
        return passphrase;
    }

    private Optional<byte[]> storedKeystore() {
        return jdbc.sql("SELECT keystore FROM ca_keystore WHERE id = 1").query(byte[].class).optional();
    }

    private char[] existingPassphrase() {
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
