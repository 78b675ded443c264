package dev.certwright.issuance;

import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.env.Environment;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.ca.CaException;
import dev.certwright.ca.CaKeystore;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.IssuerGeneration;
import dev.certwright.ca.KeyLocation;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.issuance.internal.IssuerFiles;
import dev.certwright.issuance.internal.IssuerRecords;
import dev.certwright.issuance.internal.IssuerRecords.Row;
import dev.certwright.issuance.internal.IssuerRecords.Status;
import dev.certwright.issuance.internal.IssuerRecords.StoredKeystore;
import dev.certwright.keys.KekIds;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.platform.CertwrightException;
import dev.certwright.platform.DataDirectory;
import dev.certwright.platform.StartupException;
import dev.certwright.policy.CaConfigSource;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.policy.IssuerDefinition;
import dev.certwright.policy.IssuerSource;
import dev.certwright.policy.KeyStoreDefinition;
import dev.certwright.policy.Profile;
import dev.certwright.x509.CertificateChains;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.ChainException;
import dev.certwright.x509.Fingerprint;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.Pem;

/**
 * The CA hierarchy as it lives and changes: the registry of every issuer generation (table {@code ca_issuer}), kept in
 * line with ca-config. At startup, and when an administrator reloads ca-config, it compares the file with the registry:
 * issuers new to the file get their first generation (generated, imported from files, or a key awaiting a certificate
 * signed elsewhere), issuers removed from it retire once they have nothing left to answer for, and a change that
 * would alter an existing issuer (its subject, key, source or parent) is refused, since that is a rollover. It decides
 * which generation of a configured issuer signs now, installs the generations that have certificates into the CA,
 * and installs the certificate an offline root signed for an external issuer.
 * <p>
 * The keys stay in the CA: the registry asks it to make or import them, and stores the keystore it writes in the same
 * transaction as the rows, under the keystore row's lock, so that two nodes never overwrite each other's keys. With
 * ca-config's {@code keyStore} of type pkcs11 it opens the token at start, the CA makes and imports new keys there, and
 * every reading of the rows finds the keys of generations whose key location is PKCS11 in the token by name
 * (decision 72).
 */
@Component
public class CaHierarchy {

    /** Where a copy of the keystore is written after every change of it, for the operator's own backups. */
    public static final String KEYSTORE_BACKUP = "ca/ca-keystore.p12";
    private static final Logger log = LoggerFactory.getLogger(CaHierarchy.class);
    private static final int STALE_ATTEMPTS = 3;

    private final CertificateAuthority ca;
    private final KeyWrapping keys;
    private final IssuancePolicy policy;
    private final CaConfigSource configSource;
    private final IssuerRecords records;
    private final CertificateInventory inventory;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final DataDirectory dataDirectory;
    private final Environment environment;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    private volatile List<Row> rows = List.of();
    private volatile long keystoreVersion;
    /** The keystore as stored at {@link #keystoreVersion}, for the data directory's copy. */
    private volatile byte[] storedBytes;
    private volatile String fingerprint = "";
    private char[] passphrase;

    CaHierarchy(CertificateAuthority ca, KeyWrapping keys, IssuancePolicy policy, CaConfigSource configSource, IssuerRecords records,
            CertificateInventory inventory, AuditLog audit, TransactionTemplate transactions, DataDirectory dataDirectory,
            Environment environment, Clock clock, ApplicationEventPublisher events) {
        this.ca = ca;
        this.keys = keys;
        this.policy = policy;
        this.configSource = configSource;
        this.records = records;
        this.inventory = inventory;
        this.audit = audit;
        this.transactions = transactions;
        this.dataDirectory = dataDirectory;
        this.environment = environment;
        this.clock = clock;
        this.events = events;
    }

    // --- startup ---

    /** The stored keystore, if a CA exists in this database. */
    public boolean exists() {
        return records.keystoreVersion() > 0;
    }

    /**
     * Opens the CA, or creates it on a first start, and brings the registry in line with the configuration in force.
     * A refusal (an issuer changed in a way only a rollover can do, one removed that still has certificates to answer
     * for) stops startup with its sentence.
     */
    public synchronized void start(char[] passphrase) {
        this.passphrase = passphrase.clone();
        openToken();
        Optional<StoredKeystore> stored = records.keystore();
        boolean first = stored.isEmpty();
        if (first) {
            keys.install(ca.initialise(passphrase));
        } else {
            open(stored.get());
            migrateFromKeystore();
        }
        loadRows();
        Plan plan = plan(policy.configuration(), Instant.now(clock));
        if (!plan.refusals().isEmpty()) {
            throw new StartupException(plan.refusals().get(0));
        }
        plan.waiting().forEach((name, why) -> log.warn("issuer {} is not created yet: {}", name, why));
        try {
            apply(plan, first, "system");
        } catch (DuplicateKeyException e) {
            // Another node created the CA a moment before us: use its keys and records.
            log.info("another node created the CA first; opening it");
            ca.keyNames().forEach(ca::discardKey);
            open(records.keystore().orElseThrow());
            loadRows();
            apply(plan(policy.configuration(), Instant.now(clock)), false, "system");
        }
        install();
        if (!first) {
            refreshBackup();
        }
        checkKeyEncryptionKey();
    }

    /**
     * Opens the PKCS#11 token that ca-config's keyStore names, if it names one: from then on new issuer keys are made in
     * it. The PIN is read from the process environment (the variable {@code pinEnv} names), not from a Spring property:
     * nothing in it is expanded, and it never sits on a command line. A token that cannot be opened stops the start.
     */
    private void openToken() {
        KeyStoreDefinition definition = policy.configuration().keyStore();
        if (!definition.pkcs11() || ca.usesToken()) {
            return;
        }
        try {
            ca.useToken(definition, System::getenv);
        } catch (CaException e) {
            throw new StartupException(policy.configuration().source() + ": keyStore: " + e.getMessage());
        }
        log.info("issuer keys new to the CA are made in {}{}", ca.tokenDescription().orElseThrow(), definition.kekInToken()
                ? ", and new key-encryption keys too" : "");
    }

    /**
     * This node must hold the cluster's current KEK (the rotation row's): in the keystore, or in the token. A KEK the
     * rotation row names that is in neither (a token KEK with no token configured) stops the start, since every wrap
     * would fail. With {@code keyStore.kek: token} and a current KEK in the keystore, says what moves keys into the token.
     */
    private void checkKeyEncryptionKey() {
        String cluster = records.currentKekId();
        if (!keys.keyEncryptionKeyIds().contains(cluster)) {
            // Another node may have rotated since this one opened the keystore: its KEKs as stored now first.
            keys.install(CaKeystore.of(records.keystore().orElseThrow().bytes()).keyEncryptionKeys(passphrase));
        }
        if (!keys.keyEncryptionKeyIds().contains(cluster)) {
            Map<String, javax.crypto.SecretKey> inToken = dev.certwright.issuance.internal.StoredKeystore.tokenKeksUpTo(ca, cluster);
            if (!inToken.containsKey(cluster)) {
                throw new StartupException("the cluster's current key-encryption key " + cluster + " is in neither the CA keystore nor "
                        + ca.tokenDescription().orElse("a token (" + policy.configuration().source() + " has no keyStore of type pkcs11)")
                        + ": start this node with the keyStore that holds it");
            }
            keys.installTokenKeys(inToken, ca.tokenProvider().orElseThrow());
        }
        if (policy.configuration().keyStore().kekInToken() && !keys.inToken(cluster)) {
            log.warn("keyStore.kek is token, and new keys are wrapped under {} in the CA keystore until a KEK rotation (POST /api/v1/kek/rotate)"
                    + " makes a key-encryption key in {} and moves them to it", cluster, ca.tokenDescription().orElseThrow());
        }
    }

    /**
     * A node stopped between storing a changed keystore and copying it to the data directory (a rollover, an issuer
     * added) left an older copy there: the copy is brought up to date at the next start.
     */
    private void refreshBackup() {
        java.nio.file.Path copy = dataDirectory.resolve(KEYSTORE_BACKUP);
        try {
            if (!java.nio.file.Files.isRegularFile(copy) || !Arrays.equals(java.nio.file.Files.readAllBytes(copy), storedBytes)) {
                writeBackup();
                log.info("the keystore backup {} was older than the stored keystore and is written again", copy);
            }
        } catch (java.io.IOException e) {
            log.warn("could not read the keystore backup {}: {}", copy, e.getMessage());
        }
    }

    private void open(StoredKeystore stored) {
        long started = System.nanoTime();
        keys.install(ca.open(CaKeystore.of(stored.bytes()), passphrase));
        keystoreVersion = stored.version();
        storedBytes = stored.bytes();
        log.info("CA opened from the database in {} ms: keys {}", (System.nanoTime() - started) / 1_000_000, ca.keyNames());
    }

    /**
     * A database from before the registry has a keystore and no rows: each keystore entry is then an issuer's first
     * generation, generated here, with the certificate chain the keystore carries.
     */
    private void migrateFromKeystore() {
        if (!records.all().isEmpty()) {
            return;
        }
        Instant now = Instant.now(clock);
        CaConfiguration configuration = policy.configuration();
        List<Row> migrated = new ArrayList<>();
        for (String name : ca.keyNames()) {
            List<X509Certificate> chain = ca.storedChain(name).orElseThrow();
            X509Certificate certificate = chain.get(0);
            Optional<IssuerDefinition> definition = configuration.issuer(name);
            String subject = definition.map(IssuerDefinition::subject).filter(s -> sameName(s, subjectOf(certificate))).orElse(subjectOf(certificate));
            String parent = chain.size() < 2 ? null : ca.keyNames().stream()
                    .filter(other -> ca.storedChain(other).map(c -> c.get(0).equals(chain.get(1))).orElse(false)).findFirst().orElse(null);
            migrated.add(new Row(name, name, 1, IssuerSource.GENERATE, Status.READY, KeyLocation.KEYSTORE, keyAlgorithm(certificate.getPublicKey()),
                    certificate.getPublicKey().getEncoded(), subject, definition.map(IssuerDefinition::pathLength).orElse(null), parent,
                    certificate, chain.subList(1, chain.size()), null, null, null, null, now, now));
        }
        try {
            transactions.executeWithoutResult(tx -> migrated.forEach(records::insert));
            log.info("the issuer registry starts from the keystore's issuers {}", migrated.stream().map(Row::name).toList());
        } catch (DuplicateKeyException e) {
            log.info("another node gave the issuer registry its rows first"); // upgraded at the same time: its rows are the same
        }
    }

    // --- queries ---

    /** Every generation, roots first, then by name and generation. */
    public List<IssuerView> issuers() {
        Instant now = Instant.now(clock);
        List<Row> all = rows;
        return all.stream().sorted(Comparator.comparingInt((Row r) -> r.chain().size()).thenComparing(Row::logicalName)
                .thenComparingInt(Row::generation)).map(r -> view(r, all, now)).toList();
    }

    public Optional<IssuerView> issuer(String name) {
        Instant now = Instant.now(clock);
        List<Row> all = rows;
        return all.stream().filter(r -> r.name().equals(name)).findFirst().map(r -> view(r, all, now));
    }

    /**
     * The generation of a configured issuer that signs new certificates now. Refused with CONFLICT, saying what to do,
     * while the issuer awaits its certificate or has not been created yet.
     */
    public String issuingFor(String logicalName) {
        Instant now = Instant.now(clock);
        List<Row> all = rows;
        List<Row> generations = all.stream().filter(r -> r.logicalName().equals(logicalName)).toList();
        for (Row row : generations) {
            if (state(row, all, now) == IssuerState.ACTIVE) {
                return row.name();
            }
        }
        Optional<Row> awaiting = generations.stream().filter(r -> r.status() == Status.AWAITING_CERTIFICATE).findFirst();
        if (awaiting.isPresent()) {
            throw new IssuanceException(IssuanceException.Type.ISSUER_NOT_READY, "issuer " + awaiting.get().name()
                    + " awaits its certificate: fetch its request from GET /api/v1/issuers/" + awaiting.get().name()
                    + "/csr, have it signed, and install the chain with PUT /api/v1/issuers/" + awaiting.get().name() + "/certificate");
        }
        if (generations.isEmpty()) {
            throw new IssuanceException(IssuanceException.Type.ISSUER_NOT_READY, "issuer " + logicalName
                    + " has not been created yet: its parent must have its certificate first");
        }
        throw new IssuanceException(IssuanceException.Type.ISSUER_NOT_READY, "issuer " + logicalName + " is retired and issues nothing");
    }

    // --- changes ---

    /**
     * Reads ca-config again and says what it changes; unless {@code dryRun}, applies it: new issuers are created,
     * removed ones retire, and the profiles and policy are replaced on this node. Nothing is applied when anything is
     * refused.
     */
    public synchronized ConfigChanges reload(boolean dryRun, String actor) {
        CaConfiguration next;
        try {
            next = configSource.read();
        } catch (CertwrightException e) {
            throw new IssuanceException(IssuanceException.Type.CA_REFUSED, "ca-config cannot be reloaded: " + e.getMessage());
        }
        refresh();
        CaConfiguration current = policy.configuration();
        Plan planned = plan(next, Instant.now(clock));
        // The token is opened, and its PIN read, at startup only.
        Plan plan = Objects.equals(current.keyStore(), next.keyStore()) ? planned : planned.refusing(next.source()
                + ": keyStore changed; the key store is opened at startup, so the change takes effect when the node is restarted");
        List<String> added = new ArrayList<>(), removed = new ArrayList<>(), changed = new ArrayList<>();
        for (Profile profile : next.profiles().values()) {
            Optional<Profile> before = current.profile(profile.name());
            if (before.isEmpty()) {
                added.add(profile.name());
            } else if (!before.get().equals(profile)) {
                changed.add(profile.name());
            }
        }
        current.profiles().keySet().stream().filter(name -> !next.profiles().containsKey(name)).forEach(removed::add);
        boolean policyChanged = !Objects.equals(current.policy(), next.policy());
        boolean apply = !dryRun && plan.refusals().isEmpty();
        if (!dryRun && !plan.refusals().isEmpty()) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, String.join(" ", plan.refusals()));
        }
        if (apply) {
            apply(plan, false, actor);
            install();
            policy.replace(next);
            transactions.executeWithoutResult(tx -> audit.append(actor, "ca-config.reloaded", "ca-config", next.source(),
                    "issuersAdded=" + plan.adds().stream().map(IssuerDefinition::name).toList() + " issuersRetired=" + plan.retirements()
                            + " profilesAdded=" + added + " profilesRemoved=" + removed + " profilesChanged=" + changed + " policyChanged=" + policyChanged));
            announce();
            log.info("ca-config {} reloaded by {}: issuers added {}, retired {}; profiles added {}, removed {}, changed {}; policy changed: {}",
                    next.source(), actor, plan.adds().stream().map(IssuerDefinition::name).toList(), plan.retirements(), added, removed, changed,
                    policyChanged);
        }
        return new ConfigChanges(dryRun, plan.adds().stream().map(IssuerDefinition::name).toList(), plan.waiting(), plan.retirements(), added,
                removed, changed, policyChanged, plan.refusals(), apply);
    }

    /**
     * A PKCS#10 request for an issuer that awaits its certificate, for the operator to have signed by the offline CA.
     */
    public byte[] certificationRequest(String name) {
        Row row = row(name);
        if (row.status() != Status.AWAITING_CERTIFICATE) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "issuer " + name + " does not await a certificate: it has one");
        }
        return ca.certificationRequest(name, row.subject(), row.pathLength());
    }

    /**
     * Installs the chain an outside CA signed for an issuer that awaits its certificate: the first certificate must be
     * for the issuer's own key, the chain must verify up to a self-signed root and be valid now, and basicConstraints,
     * keyUsage and the path length must let the issuer sign what ca-config has it sign (RFC 5280 §4.2.1.3, §4.2.1.9,
     * §6.1). Issuers configured below it are created right after.
     */
    public synchronized IssuerView installCertificate(String name, List<X509Certificate> chain, String actor) {
        Row row = row(name);
        if (row.status() != Status.AWAITING_CERTIFICATE) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "issuer " + name + " already has its certificate (serial "
                    + (row.certificate() == null ? "none" : row.certificate().getSerialNumber().toString(16)) + "); a new one is a rollover");
        }
        if (chain.isEmpty()) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "the body holds no certificate");
        }
        X509Certificate certificate = chain.get(0);
        if (!Arrays.equals(certificate.getPublicKey().getEncoded(), row.publicKey())) {
            throw new IssuanceException(IssuanceException.Type.CA_REFUSED, "the first certificate is for another key: it must be the one issued"
                    + " for this issuer's request (GET /api/v1/issuers/" + name + "/csr), followed by its issuers up to the root");
        }
        Instant now = Instant.now(clock);
        String problem = caChainProblem(chain, requiredPathLength(row.logicalName(), policy.configuration()), now);
        if (problem != null) {
            throw new IssuanceException(IssuanceException.Type.CA_REFUSED, "the chain cannot be installed: " + problem);
        }
        List<X509Certificate> parents = chain.subList(1, chain.size());
        Boolean installed = transactions.execute(tx -> {
            if (!records.installCertificate(name, certificate, parents, now)) {
                return false;
            }
            recordInInventory(name, certificate, parents, null, actor);
            audit.append(actor, "ca.issuer.certificate-installed", "issuer", name, "serial=" + certificate.getSerialNumber().toString(16)
                    + " issuer=" + subjectOf(chain.get(Math.min(1, chain.size() - 1))) + " notAfter=" + certificate.getNotAfter().toInstant());
            return true;
        });
        if (!Boolean.TRUE.equals(installed)) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "issuer " + name + " got its certificate in the meantime");
        }
        log.info("installed the certificate of issuer {} (serial {}, until {})", name, certificate.getSerialNumber().toString(16),
                certificate.getNotAfter().toInstant());
        loadRows();
        install();
        // Issuers configured below this one can be made now.
        Plan plan = plan(policy.configuration(), now);
        if (plan.refusals().isEmpty() && !plan.adds().isEmpty()) {
            apply(plan, false, actor);
            install();
        }
        announce();
        return issuer(name).orElseThrow();
    }

    /**
     * Picks up what other nodes changed: a keystore written again (an issuer added, a key-encryption key rotated) is
     * opened again, and changed rows (a certificate installed, a rollover) are installed. Cheap when nothing changed.
     */
    public synchronized void refresh() {
        if (passphrase == null) {
            return; // not started
        }
        long version = records.keystoreVersion();
        String now = records.fingerprint();
        if (version != keystoreVersion || !now.equals(fingerprint)) {
            if (version != keystoreVersion) {
                open(records.keystore().orElseThrow());
            }
            loadRows();
            install();
            announce();
            log.info("issuer registry refreshed: {}", rows.stream().map(Row::name).toList());
        }
        retireAnsweredFor();
    }

    /** For each RETIRING generation, when to look again whether it still answers for a certificate (its last notAfter). */
    private final Map<String, Instant> retirementCheck = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Retires each generation that was taken over and no longer answers for any certificate: everything it signed has
     * expired (its own self-signed certificate and its OCSP responders' aside), so it has no CRL or OCSP answer left to
     * give. The UPDATE only moves a READY row, so of several nodes one retires it and writes the audit entry. A RETIRING
     * generation signs nothing new, so the latest notAfter it answers for only moves if a certificate reserved before
     * the switch is recorded after it: the inventory is asked again when that time has passed, not at every refresh.
     */
    private void retireAnsweredFor() {
        Instant now = Instant.now(clock);
        List<Row> all = rows;
        boolean changed = false;
        for (Row row : all) {
            if (state(row, all, now) != IssuerState.RETIRING || now.isBefore(retirementCheck.getOrDefault(row.name(), Instant.MIN))) {
                continue;
            }
            CertificateInventory.IssuerUsage usage = inventory.unexpiredIssuedBy(List.of(row.name()), now,
                    Fingerprint.sha256(der(row.certificate())).sha256Hex());
            if (usage.unexpired() > 0) {
                retirementCheck.put(row.name(), usage.lastExpiry());
                continue;
            }
            Boolean retired = transactions.execute(tx -> {
                if (!records.retire(row.name(), now)) {
                    return false;
                }
                audit.append("system", "ca.issuer.retired", "issuer", row.name(), "successor=" + row.successor()
                        + ": every certificate it signed has expired; its CRL and OCSP answers end");
                return true;
            });
            if (Boolean.TRUE.equals(retired)) {
                log.info("issuer {} retired: {} took over and every certificate {} signed has expired", row.name(), row.successor(), row.name());
            }
            retirementCheck.remove(row.name());
            changed = true;
        }
        if (changed) {
            loadRows();
            install();
        }
    }

    // --- rollover ---

    /** How far back a switch time may lie (a clock a little behind the server's), and how far ahead at most. */
    static final Duration SWITCH_TOLERANCE = Duration.ofMinutes(1);
    static final Duration MAX_SWITCH_DELAY = Duration.ofDays(366);

    /**
     * Rolls a configured issuer over to a new generation, {@code <name>-g<n>}: a new key of the configured algorithm in
     * the same key store, under the configured subject, certified by the parent's issuing generation (self-signed for a
     * root, and with {@code crossSign} also certified by the old root: an RFC 5280 §3.2 cross-certificate, RFC 4210
     * §4.4's newWithOld), or awaiting its certificate when the parent is offline (an external issuer, or an import
     * whose root is elsewhere: GET .../csr and PUT .../certificate as for a first generation). New certificates keep
     * coming from the current generation until {@code switchAt} (default now), then from the successor; the
     * predecessor keeps its CRL and OCSP until it retires. Issuers configured below it keep their certificates, signed
     * by the predecessor, until they are rolled over in turn.
     * <p>
     * The key, the successor's row, the link between both, the inventory records and the audit entry are one
     * transaction, under the keystore row's lock: a node that stops at any point leaves either no rollover or all of
     * it, and the switch needs no further step, since the state follows from the rows and the time.
     *
     * @param name the configured name (which is also the first generation's), or the current generation's own name
     */
    public synchronized IssuerView rollover(String name, Instant switchAt, boolean crossSign, String actor) {
        refresh();
        for (int attempt = 1;; attempt++) {
            try {
                return rolloverOnce(name, switchAt, crossSign, actor);
            } catch (StaleKeystore e) {
                if (attempt >= STALE_ATTEMPTS) {
                    throw new CaException(CaException.Type.KEYSTORE, "the CA keystore kept changing under this node; try again");
                }
                log.info("another node changed the CA keystore; opening it again before rolling {} over", name);
                open(records.keystore().orElseThrow());
                loadRows();
                install();
            }
        }
    }

    private IssuerView rolloverOnce(String name, Instant requestedSwitch, boolean crossSign, String actor) {
        Instant exact = Instant.now(clock);
        Instant now = exact.truncatedTo(ChronoUnit.SECONDS);
        List<Row> all = rows;
        Row current = currentGeneration(name, all, exact);
        IssuerDefinition definition = policy.configuration().issuer(current.logicalName()).orElseThrow(() -> new IssuanceException(
                IssuanceException.Type.CONFLICT, "issuer " + current.logicalName() + " is no longer in " + policy.configuration().source()
                        + ": it retires once its certificates expire, and is not rolled over"));
        Instant switchAt = requestedSwitch == null ? exact.truncatedTo(ChronoUnit.MILLIS) : requestedSwitch;
        Instant predecessorEnd = current.certificate().getNotAfter().toInstant();
        if (switchAt.isBefore(now.minus(SWITCH_TOLERANCE))) {
            throw refused("switchAt " + switchAt + " is in the past; leave it out to switch now");
        }
        if (switchAt.isAfter(now.plus(MAX_SWITCH_DELAY))) {
            throw refused("switchAt " + switchAt + " is more than " + MAX_SWITCH_DELAY.toDays() + " days ahead");
        }
        if (!switchAt.isBefore(predecessorEnd)) {
            throw refused("switchAt " + switchAt + " is not before " + current.name() + " expires (" + predecessorEnd
                    + "): nothing could be issued in between");
        }
        // The parent is offline when this issuer's certificate came from elsewhere: the successor's will too.
        boolean offline = current.source() == IssuerSource.EXTERNAL || (current.parentName() == null && !current.chain().isEmpty());
        boolean root = current.parentName() == null && current.chain().isEmpty();
        if (crossSign && !root) {
            throw refused("crossSign is for a root rolled over here: " + current.name() + (offline ? "'s parent is offline"
                    : " is signed by " + current.parentName() + ", which signs its successor too"));
        }
        Row parent = root || offline ? null : parentSigning(current, all, exact);
        int generation = all.stream().filter(r -> r.logicalName().equals(current.logicalName())).mapToInt(Row::generation).max().orElse(1) + 1;
        String successorName = current.logicalName() + "-g" + generation;
        KeySpec spec = definition.keyAlgorithm() != null ? definition.keyAlgorithm() : KeySpec.fromId(current.keyAlgorithm());
        String subject = definition.subject() != null ? definition.subject() : current.subject();
        Integer pathLength = definition.pathLength();
        Duration validity = definition.validity() != null ? definition.validity()
                : Duration.between(current.certificate().getNotBefore().toInstant(), predecessorEnd);

        PublicKey key = ca.generateKey(successorName, spec);
        try {
            X509Certificate certificate = null;
            X509Certificate cross = null;
            List<X509Certificate> parents = new ArrayList<>();
            if (root) {
                certificate = ca.selfSign(successorName, subject, now, now.plus(validity), pathLength);
            } else if (parent != null) {
                certificate = ca.certifyIssuer(parent.name(), successorName, subject, now, now.plus(validity), pathLength);
                parents.add(parent.certificate());
                parents.addAll(parent.chain());
            }
            if (certificate != null && !switchAt.isBefore(certificate.getNotAfter().toInstant())) {
                throw refused("switchAt " + switchAt + " is not before the successor's certificate expires (" + certificate.getNotAfter().toInstant()
                        + ", its parent's limit)");
            }
            if (crossSign) {
                // RFC 5280 §3.2: the old root certifies the new root's key under the same subject, so that relying parties
                // that trust only the old root reach the new one. It lives no longer than the old root (certifyIssuer).
                cross = ca.certifyIssuer(current.name(), successorName, subject, now, certificate.getNotAfter().toInstant(), pathLength);
            }
            Row successor = new Row(successorName, current.logicalName(), generation, offline ? IssuerSource.EXTERNAL : IssuerSource.GENERATE,
                    certificate == null ? Status.AWAITING_CERTIFICATE : Status.READY, ca.keyLocation(successorName).orElse(KeyLocation.KEYSTORE),
                    keyAlgorithm(key), key.getEncoded(), subject, pathLength, parent == null ? null : parent.name(), certificate, parents,
                    current.name(), null, switchAt, cross, now, now);
            if (certificate != null) {
                installWith(List.of(new Created(successor, true))); // so that the keystore entry carries its chain
            }
            List<Row> after = new ArrayList<>(all);
            after.add(successor);
            String state = state(successor, after, Instant.now(clock)).name();
            X509Certificate crossCertificate = cross;
            X509Certificate successorCertificate = certificate;
            CaKeystore[] written = new CaKeystore[1];
            Long version = transactions.execute(tx -> {
                long locked = records.lockKeystore();
                if (locked != keystoreVersion) {
                    throw new StaleKeystore();
                }
                written[0] = ca.keystore();
                long next = records.updateKeystore(written[0].bytes(), locked);
                records.insert(successor);
                records.link(current.name(), successorName, switchAt, now);
                if (successorCertificate != null) {
                    recordInInventory(successorName, successorCertificate, successor.chain(), successor.parentName(), actor);
                }
                if (crossCertificate != null) {
                    recordInInventory(successorName, crossCertificate, List.of(current.certificate()), current.name(), actor);
                }
                audit.append(actor, "ca.issuer.rolled-over", "issuer", successorName, "predecessor=" + current.name() + " switchAt=" + switchAt
                        + " state=" + state + " keyAlgorithm=" + spec.id() + (successorCertificate == null ? "" : " serial="
                        + successorCertificate.getSerialNumber().toString(16) + " notAfter=" + successorCertificate.getNotAfter().toInstant())
                        + (crossCertificate == null ? "" : " crossCertificate=" + crossCertificate.getSerialNumber().toString(16)));
                return next;
            });
            keystoreVersion = Objects.requireNonNull(version);
            ca.adopt(written[0]);
            storedBytes = written[0].bytes();
        } catch (RuntimeException e) {
            install();
            ca.discardKey(successorName);
            throw e;
        }
        writeBackup();
        loadRows();
        install();
        announce();
        IssuerView view = issuer(successorName).orElseThrow();
        log.info("issuer {} rolled over to {} ({}, switch at {}{}){}", current.name(), successorName, view.state(), switchAt,
                crossSign ? ", cross-signed by " + current.name() : "", offline ? ": it awaits its certificate (GET /api/v1/issuers/"
                        + successorName + "/csr)" : "");
        return view;
    }

    /**
     * The generation a rollover starts from: the newest of the configured issuer that {@code name} names, which must
     * issue now. The configured name (also the first generation's) names the issuer, whichever generation is current;
     * a later generation's own name must be the current one. Refused when there is no such issuer (404), when it is
     * retired, when a rollover is still pending, or when {@code name} is a later generation that was taken over (409).
     */
    private Row currentGeneration(String name, List<Row> all, Instant now) {
        boolean configuredName = all.stream().anyMatch(r -> r.logicalName().equals(name));
        Optional<Row> named = configuredName ? Optional.empty() : all.stream().filter(r -> r.name().equals(name)).findFirst();
        String logical = named.map(Row::logicalName).orElse(name);
        List<Row> generations = all.stream().filter(r -> r.logicalName().equals(logical)).toList();
        if (generations.isEmpty()) {
            throw new IssuanceException(IssuanceException.Type.NOT_FOUND, "no issuer named '" + name + "'");
        }
        if ((named.isPresent() && named.get().status() == Status.RETIRED) || generations.stream().allMatch(r -> r.status() == Status.RETIRED)) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "issuer " + name + " is retired: it signs nothing and is not rolled over");
        }
        Row newest = generations.stream().max(Comparator.comparingInt(Row::generation)).orElseThrow();
        IssuerState newestState = state(newest, all, now);
        if (newest.predecessor() != null && newestState == IssuerState.STANDBY) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "a rollover of " + logical + " is pending: " + newest.name()
                    + " takes over at " + newest.switchAt());
        }
        if (newestState == IssuerState.AWAITING_CERTIFICATE) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, newest.predecessor() != null
                    ? "a rollover of " + logical + " is pending: " + newest.name() + " awaits its certificate (GET /api/v1/issuers/" + newest.name()
                            + "/csr, then PUT /api/v1/issuers/" + newest.name() + "/certificate)"
                    : "issuer " + newest.name() + " awaits its first certificate: there is nothing to roll over yet");
        }
        if (newestState != IssuerState.ACTIVE) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "issuer " + newest.name() + " is " + newestState + " and is not rolled over");
        }
        if (named.isPresent() && !named.get().name().equals(newest.name())) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, name + " is not the current generation of " + logical + ": "
                    + newest.name() + " is; roll that over");
        }
        return newest;
    }

    /** The generation of the issuer's parent that signs now, which certifies the successor. */
    private Row parentSigning(Row current, List<Row> all, Instant now) {
        String parentLogical = all.stream().filter(r -> r.name().equals(current.parentName())).map(Row::logicalName).findFirst()
                .orElse(current.parentName());
        try {
            return signingRow(parentLogical, List.of(), now);
        } catch (CaException e) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "the parent " + parentLogical + " of " + current.name()
                    + " has no generation that signs now, so it cannot certify a successor");
        }
    }

    private static IssuanceException refused(String why) {
        return new IssuanceException(IssuanceException.Type.CA_REFUSED, "the rollover is refused: " + why);
    }

    /**
     * The cross-certificates by which a certificate from this generation also chains to an older root: the one its
     * root's generation got from its predecessor when it was rolled over with {@code crossSign}, while it is valid.
     * Each is an alternate chain's last certificate (RFC 8555 §7.4.2).
     */
    public List<X509Certificate> crossCertificates(String generationName) {
        List<Row> all = rows;
        Optional<Row> row = all.stream().filter(r -> r.name().equals(generationName)).findFirst();
        if (row.isEmpty() || row.get().certificate() == null) {
            return List.of();
        }
        X509Certificate top = row.get().chain().isEmpty() ? row.get().certificate() : row.get().chain().get(row.get().chain().size() - 1);
        Instant now = Instant.now(clock);
        return all.stream().filter(r -> top.equals(r.certificate()) && r.crossCertificate() != null)
                .map(Row::crossCertificate).filter(c -> now.isBefore(c.getNotAfter().toInstant())).toList();
    }

    /**
     * When issuance moves from this generation to its successor, if a successor with its certificate exists; ACME
     * Renewal Information moves the windows of this generation's certificates to it (RFC 9773).
     */
    public Optional<Instant> successorSwitch(String generationName) {
        List<Row> all = rows;
        return all.stream().filter(r -> r.name().equals(generationName) && r.successor() != null).findFirst()
                .flatMap(r -> all.stream().filter(s -> s.name().equals(r.successor())).findFirst())
                .filter(s -> s.certificate() != null && s.switchAt() != null).map(Row::switchAt);
    }

    // --- planning ---

    /** What bringing the registry in line with a configuration takes. */
    record Plan(List<IssuerDefinition> adds, Map<String, String> waiting, List<String> retirements, List<String> refusals) {

        Plan refusing(String refusal) {
            List<String> more = new ArrayList<>(refusals);
            more.add(refusal);
            return new Plan(adds, waiting, retirements, List.copyOf(more));
        }
    }

    private Plan plan(CaConfiguration configuration, Instant now) {
        List<Row> all = rows;
        List<IssuerDefinition> adds = new ArrayList<>();
        Map<String, String> waiting = new LinkedHashMap<>();
        List<String> refusals = new ArrayList<>();
        Set<String> signingSoon = new LinkedHashSet<>();
        String file = configuration.source();
        for (IssuerDefinition definition : configuration.issuers()) {
            String key = file + ": issuers." + definition.name();
            List<Row> generations = all.stream().filter(r -> r.logicalName().equals(definition.name())).toList();
            if (generations.isEmpty()) {
                if (!definition.root() && !canSign(definition.parent(), all, now) && !signingSoon.contains(definition.parent())) {
                    waiting.put(definition.name(), "its parent " + definition.parent() + " has no certificate yet");
                    continue;
                }
                adds.add(definition);
                if (definition.source() != IssuerSource.EXTERNAL) {
                    signingSoon.add(definition.name());
                }
                continue;
            }
            if (generations.stream().allMatch(r -> r.status() == Status.RETIRED)) {
                refusals.add(key + " names an issuer that was retired; give the new issuer a name of its own");
                continue;
            }
            Row newest = generations.stream().filter(r -> r.status() != Status.RETIRED).max(Comparator.comparingInt(Row::generation)).orElseThrow();
            String problem = changeProblem(definition, newest, generations, all);
            if (problem != null) {
                refusals.add(key + " " + problem);
            }
        }
        Set<String> configured = new LinkedHashSet<>(configuration.issuers().stream().map(IssuerDefinition::name).toList());
        Map<String, List<String>> removed = new LinkedHashMap<>();
        for (Row row : all) {
            if (!configured.contains(row.logicalName()) && row.status() != Status.RETIRED) {
                removed.computeIfAbsent(row.logicalName(), k -> new ArrayList<>()).add(row.name());
            }
        }
        List<String> retirements = new ArrayList<>();
        for (var entry : removed.entrySet()) {
            CertificateInventory.IssuerUsage usage = inventory.unexpiredIssuedBy(entry.getValue(), now);
            if (usage.unexpired() > 0) {
                refusals.add(file + ": issuer " + entry.getKey() + " was removed, but it still has " + usage.unexpired()
                        + " unexpired certificates to answer for (the last expires " + usage.lastExpiry() + "): keep it in the file until then");
            } else {
                retirements.add(entry.getKey());
            }
        }
        return new Plan(adds, waiting, retirements, refusals);
    }

    /** Why a configured issuer cannot be what the file now says, or null when it can. */
    private String changeProblem(IssuerDefinition definition, Row newest, List<Row> generations, List<Row> all) {
        String rollover = "; changing an existing issuer's subject or key is a rollover (POST /api/v1/issuers/" + definition.name()
                + "/rollover), not a configuration change";
        // The source is the first generation's: a rollover's successor is generated here, or external when the parent is
        // offline, whatever the first one was.
        Row first = generations.stream().min(Comparator.comparingInt(Row::generation)).orElseThrow();
        if (definition.source() != first.source()) {
            return "has source " + definition.source().configValue() + ", but the issuer was created with source "
                    + first.source().configValue() + rollover;
        }
        if (definition.subject() != null && !sameName(definition.subject(), newest.subject())) {
            return "has subject \"" + definition.subject() + "\", but the issuer was created with \"" + newest.subject() + "\"" + rollover;
        }
        if (definition.keyAlgorithm() != null && !definition.keyAlgorithm().id().equals(newest.keyAlgorithm())) {
            return "has keyAlgorithm " + definition.keyAlgorithm().id() + ", but the issuer's key is " + newest.keyAlgorithm() + rollover;
        }
        if (definition.source() == IssuerSource.GENERATE) {
            String parentLogical = newest.parentName() == null ? null
                    : all.stream().filter(r -> r.name().equals(newest.parentName())).map(Row::logicalName).findFirst().orElse(newest.parentName());
            if (!Objects.equals(definition.parent(), parentLogical)) {
                return "has parent " + definition.parent() + ", but the issuer was signed by " + parentLogical + rollover;
            }
        }
        if (definition.source() == IssuerSource.IMPORT && IssuerFiles.present(definition.files())) {
            try {
                PublicKey inFiles = IssuerFiles.chain("issuers." + definition.name(), definition.files(), importPassphrase(definition)).get(0).getPublicKey();
                if (generations.stream().noneMatch(r -> Arrays.equals(r.publicKey(), inFiles.getEncoded()))) {
                    return "names files with a different key from the one imported on " + generations.get(0).createdAt()
                            + "; the files are not needed after the first import, and a new key is a rollover";
                }
            } catch (StartupException e) {
                return "names files that cannot be read: " + e.getMessage();
            }
        }
        return null;
    }

    /** Whether the configured issuer has a generation with a certificate that signs. */
    private boolean canSign(String logicalName, List<Row> all, Instant now) {
        return all.stream().anyMatch(r -> r.logicalName().equals(logicalName) && state(r, all, now) == IssuerState.ACTIVE);
    }

    /**
     * The path length an issuer's certificate must allow: one for each level of issuers configured below it (RFC 5280
     * §4.2.1.9 counts the intermediate CA certificates that may follow it).
     */
    static int requiredPathLength(String logicalName, CaConfiguration configuration) {
        int depth = 0;
        for (IssuerDefinition child : configuration.issuers()) {
            if (logicalName.equals(child.parent())) {
                depth = Math.max(depth, 1 + requiredPathLength(child.name(), configuration));
            }
        }
        return depth;
    }

    // --- applying ---

    /** One generation made in memory, before its record is written. */
    private record Created(Row row, boolean newKey) {
    }

    private void apply(Plan plan, boolean first, String actor) {
        if (!first && plan.adds().isEmpty() && plan.retirements().isEmpty()) {
            return;
        }
        for (int attempt = 1;; attempt++) {
            try {
                applyOnce(plan, first, actor);
                return;
            } catch (StaleKeystore e) {
                if (attempt >= STALE_ATTEMPTS) {
                    throw new CaException(CaException.Type.KEYSTORE, "the CA keystore kept changing under this node; try again");
                }
                log.info("another node changed the CA keystore; opening it again before adding issuers");
                open(records.keystore().orElseThrow());
                loadRows();
                install();
                plan = plan(policy.configuration(), Instant.now(clock));
                if (plan.adds().isEmpty() && plan.retirements().isEmpty()) {
                    return;
                }
            }
        }
    }

    /** The token KEK a first start makes with {@code keyStore.kek: token}, and whether its transaction got to the commit. */
    private static final class FirstKek {
        String id;
        javax.crypto.SecretKey key;
        boolean recorded;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    private void applyOnce(Plan plan, boolean first, String actor) {
        Instant now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
        List<Created> created = new ArrayList<>();
        FirstKek firstKek = new FirstKek();
        try {
            for (IssuerDefinition definition : plan.adds()) {
                created.add(create(definition, created, now));
                installWith(created);
            }
            CaKeystore[] written = new CaKeystore[1];
            Long version = transactions.execute(tx -> {
                long next = keystoreVersion;
                if (first) {
                    written[0] = ca.keystore();
                    records.insertKeystore(written[0].bytes(), now);
                    next = 1;
                    if (policy.configuration().keyStore().kekInToken()) {
                        // After the insert: a node starting beside this one waits on it, so only one makes the token KEK.
                        firstKek.id = KekIds.next(union(Set.of(KekIds.FIRST), ca.tokenKeyEncryptionKeys().keySet()));
                        firstKek.key = ca.generateTokenKeyEncryptionKey(firstKek.id);
                        records.startWithKek(firstKek.id, now);
                    }
                } else if (!created.isEmpty()) {
                    long locked = records.lockKeystore();
                    if (locked != keystoreVersion) {
                        throw new StaleKeystore();
                    }
                    written[0] = ca.keystore();
                    next = records.updateKeystore(written[0].bytes(), locked);
                }
                for (Created c : created) {
                    records.insert(c.row());
                    if (c.row().certificate() != null) {
                        recordInInventory(c.row().name(), c.row().certificate(), c.row().chain(), c.row().parentName(), actor);
                    }
                    if (!first) {
                        audit.append(actor, "ca.issuer.created", "issuer", c.row().name(), "source=" + c.row().source().configValue() + " keyLocation="
                                + c.row().keyLocation() + " state=" + (c.row().certificate() == null ? "AWAITING_CERTIFICATE" : "ACTIVE") + " subject="
                                + c.row().subject());
                    }
                }
                if (first) {
                    List<String> names = created.stream().map(c -> c.row().name()).toList();
                    audit.append(actor, "ca.created", "ca", String.join(",", names), "issuers=" + names + " config=" + policy.configuration().source()
                            + (firstKek.id == null ? "" : " kek=" + firstKek.id + " location=token"));
                }
                for (String logical : plan.retirements()) {
                    for (Row row : rows) {
                        if (row.logicalName().equals(logical) && row.status() != Status.RETIRED) {
                            records.setStatus(row.name(), Status.RETIRED, now);
                            audit.append(actor, "ca.issuer.retired", "issuer", row.name(), "removed from " + policy.configuration().source()
                                    + " with no unexpired certificates");
                        }
                    }
                }
                firstKek.recorded = true; // what fails after this is the commit itself, whose outcome is unknown here
                return next;
            });
            keystoreVersion = Objects.requireNonNull(version);
            if (written[0] != null) {
                ca.adopt(written[0]);
                storedBytes = written[0].bytes();
            }
            if (firstKek.key != null) {
                keys.installTokenKeys(Map.of(firstKek.id, firstKek.key), ca.tokenProvider().orElseThrow());
                log.info("the CA was created with key-encryption key {} in {}: new keys are wrapped under it; {} stays the root of the derived secrets",
                        firstKek.id, ca.tokenDescription().orElseThrow(), KekIds.FIRST);
            }
        } catch (RuntimeException e) {
            // Uninstall first: the CA keeps the key of an installed issuer, so discarding before would keep the keys of
            // the generations that were never stored, and a retry would find their names taken.
            install();
            created.stream().filter(Created::newKey).forEach(c -> ca.discardKey(c.row().name()));
            if (firstKek.key != null && !firstKek.recorded) {
                try {
                    ca.deleteTokenKeyEncryptionKey(firstKek.id);
                } catch (RuntimeException cleanup) {
                    log.warn("the token KEK {} of a CA that was not created stays in the token ({}); it wraps nothing", firstKek.id, cleanup.getMessage());
                }
            }
            throw e;
        }
        if (!created.isEmpty()) {
            writeBackup();
            created.forEach(c -> log.info("created issuer {} ({}, key in {}){}", c.row().name(), c.row().source().configValue(), c.row().keyLocation(),
                    c.row().certificate() == null ? ": it awaits its certificate (GET /api/v1/issuers/" + c.row().name() + "/csr)" : ""));
        }
        loadRows();
    }

    /** Another node wrote the keystore after this one opened it. */
    private static final class StaleKeystore extends RuntimeException {
        StaleKeystore() {
            super("the CA keystore changed", null, false, false);
        }
    }

    /** Makes an issuer's first generation in memory: its key in the CA and, unless it is external, its certificate. */
    private Created create(IssuerDefinition definition, List<Created> soFar, Instant now) {
        String name = definition.name();
        Integer pathLength = definition.pathLength();
        return switch (definition.source()) {
            case GENERATE -> {
                PublicKey key = ca.generateKey(name, definition.keyAlgorithm());
                X509Certificate certificate;
                List<X509Certificate> parents;
                String parentName = null;
                if (definition.root()) {
                    certificate = ca.selfSign(name, definition.subject(), now, now.plus(definition.validity()), pathLength);
                    parents = List.of();
                } else {
                    Row parent = signingRow(definition.parent(), soFar, now);
                    parentName = parent.name();
                    certificate = ca.certifyIssuer(parent.name(), name, definition.subject(), now, now.plus(definition.validity()), pathLength);
                    parents = new ArrayList<>();
                    parents.add(parent.certificate());
                    parents.addAll(parent.chain());
                }
                yield new Created(row(definition, IssuerSource.GENERATE, key, definition.subject(), parentName, certificate, parents, now), true);
            }
            case EXTERNAL -> {
                PublicKey key = ca.generateKey(name, definition.keyAlgorithm());
                yield new Created(row(definition, IssuerSource.EXTERNAL, key, definition.subject(), null, null, List.of(), now), true);
            }
            case IMPORT -> importIssuer(definition, soFar, now);
        };
    }

    private Created importIssuer(IssuerDefinition definition, List<Created> soFar, Instant now) {
        String key = policy.configuration().source() + ": issuers." + definition.name();
        if (!IssuerFiles.present(definition.files())) {
            throw new StartupException(key + " is imported from files that do not exist: " + (definition.files().pkcs12() != null
                    ? definition.files().pkcs12() : definition.files().certificate() + " and " + definition.files().key()));
        }
        IssuerFiles.Contents contents = IssuerFiles.read(key, definition.files(), importPassphrase(definition));
        X509Certificate certificate = contents.chain().get(0);
        if (definition.subject() != null && !sameName(definition.subject(), subjectOf(certificate))) {
            throw new StartupException(key + ".subject is \"" + definition.subject() + "\", but the imported certificate's subject is \""
                    + subjectOf(certificate) + "\"");
        }
        if (definition.keyAlgorithm() != null && !definition.keyAlgorithm().id().equals(keyAlgorithm(certificate.getPublicKey()))) {
            throw new StartupException(key + ".keyAlgorithm is " + definition.keyAlgorithm().id() + ", but the imported key is "
                    + keyAlgorithm(certificate.getPublicKey()));
        }
        List<X509Certificate> parents;
        String parentName = null;
        if (definition.parent() != null) {
            Row parent = signingRow(definition.parent(), soFar, Instant.now(clock));
            try {
                certificate.verify(parent.certificate().getPublicKey());
            } catch (Exception e) {
                throw new StartupException(key + " names parent " + definition.parent() + ", which did not sign the imported certificate");
            }
            parentName = parent.name();
            parents = new ArrayList<>();
            parents.add(parent.certificate());
            parents.addAll(parent.chain());
        } else {
            parents = contents.chain().subList(1, contents.chain().size());
        }
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        chain.addAll(parents);
        String problem = caChainProblem(chain, requiredPathLength(definition.name(), policy.configuration()), now);
        if (problem != null) {
            throw new StartupException(key + " cannot be imported: " + problem);
        }
        try {
            ca.importKey(definition.name(), contents.key(), certificate);
        } catch (CaException e) {
            throw new StartupException(key + ": " + e.getMessage());
        }
        String subject = definition.subject() != null ? definition.subject() : subjectOf(certificate);
        return new Created(row(definition, IssuerSource.IMPORT, certificate.getPublicKey(), subject, parentName, certificate, parents, now), true);
    }

    private char[] importPassphrase(IssuerDefinition definition) {
        String variable = definition.files().passphraseEnv();
        if (variable == null) {
            return null;
        }
        String value = environment.getProperty(variable);
        if (value == null || value.isEmpty()) {
            throw new StartupException(policy.configuration().source() + ": issuers." + definition.name() + ".passphraseEnv names " + variable
                    + ", which is not set");
        }
        return value.toCharArray();
    }

    private Row row(IssuerDefinition definition, IssuerSource source, PublicKey key, String subject, String parentName, X509Certificate certificate,
            List<X509Certificate> parents, Instant now) {
        return new Row(definition.name(), definition.name(), 1, source, certificate == null ? Status.AWAITING_CERTIFICATE : Status.READY,
                ca.keyLocation(definition.name()).orElse(KeyLocation.KEYSTORE), keyAlgorithm(key), key.getEncoded(), subject, definition.pathLength(),
                parentName, certificate, parents, null, null, null, null, now, now);
    }

    /** The generation of a configured issuer that signs, among the records and those made in this plan. */
    private Row signingRow(String logicalName, List<Created> soFar, Instant now) {
        for (Created c : soFar) {
            if (c.row().logicalName().equals(logicalName) && c.row().certificate() != null) {
                return c.row();
            }
        }
        List<Row> all = rows;
        return all.stream().filter(r -> r.logicalName().equals(logicalName) && state(r, all, now) == IssuerState.ACTIVE).findFirst()
                .orElseThrow(() -> new CaException(CaException.Type.UNKNOWN_ISSUER, "issuer " + logicalName + " cannot sign yet"));
    }

    private void recordInInventory(String name, X509Certificate certificate, List<X509Certificate> parents, String signer, String actor) {
        // A CA certificate already in the inventory (imported, or discovered in a served chain) stays as it is; inside
        // the installing transaction, without the unique-key error that would abort it on PostgreSQL.
        inventory.recordIfAbsent(CertificateView.of(certificate), Pem.encodeChain(parents), CertificateSource.CA,
                signer != null ? signer : parents.isEmpty() ? name : null, "certwright", List.of("ca"), actor);
    }

    private void writeBackup() {
        try {
            dataDirectory.replacePrivateFile(KEYSTORE_BACKUP, storedBytes);
        } catch (RuntimeException e) {
            log.warn("could not write the keystore backup {}: {}", dataDirectory.resolve(KEYSTORE_BACKUP), e.getMessage());
        }
    }

    // --- state ---

    /**
     * Reads the registry's rows, and holds the token key of every generation whose key is in the token (and that is not
     * retired), found by the generation's name: at start, and whenever another node may have made one. A key the token
     * lacks is refused with one sentence (at start, the start's), and the rows stay as they were.
     */
    private void loadRows() {
        List<Row> all = List.copyOf(records.all());
        String read = records.fingerprint();
        ca.attachTokenKeys(all.stream().filter(r -> r.keyLocation() == KeyLocation.PKCS11 && r.status() != Status.RETIRED).map(Row::name).toList());
        this.rows = all;
        this.fingerprint = read;
    }

    /** Makes every generation with a certificate, and not retired, an issuer the CA signs with. */
    private void install() {
        installWith(List.of());
    }

    private void installWith(List<Created> created) {
        List<IssuerGeneration> generations = new ArrayList<>();
        List<Row> all = new ArrayList<>(rows);
        created.forEach(c -> all.add(c.row()));
        for (Row row : all) {
            if (row.certificate() != null && row.status() != Status.RETIRED) {
                List<X509Certificate> chain = new ArrayList<>();
                chain.add(row.certificate());
                chain.addAll(row.chain());
                generations.add(new IssuerGeneration(row.name(), row.logicalName(), row.generation(), chain));
            }
        }
        ca.installIssuers(generations);
    }

    /** Tells the modules that serve issuers (CRLs, OCSP) that the installed set changed; their failure changes nothing here. */
    private void announce() {
        try {
            events.publishEvent(new IssuersChanged(ca.issuers().stream().map(dev.certwright.ca.Issuer::name).toList()));
        } catch (RuntimeException e) {
            log.warn("issuers changed, but a listener failed ({}); CRLs and OCSP catch up at their next run", e.toString());
        }
    }

    private Row row(String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND, "no issuer named '" + name + "'"));
    }

    static IssuerState state(Row row, List<Row> all, Instant now) {
        if (row.status() == Status.RETIRED) {
            return IssuerState.RETIRED;
        }
        if (row.certificate() == null) {
            return IssuerState.AWAITING_CERTIFICATE;
        }
        if (row.successor() != null) {
            // Once its successor has taken over, a generation never signs again, even after that successor retired in
            // turn (a later generation issues by then): otherwise the oldest line would wake up as ACTIVE.
            Optional<Row> successor = all.stream().filter(r -> r.name().equals(row.successor())).findFirst();
            if (successor.isPresent() && successor.get().certificate() != null
                    && (successor.get().switchAt() == null || !successor.get().switchAt().isAfter(now))) {
                return IssuerState.RETIRING;
            }
        }
        if (row.predecessor() != null && row.switchAt() != null && row.switchAt().isAfter(now)) {
            return IssuerState.STANDBY;
        }
        return IssuerState.ACTIVE;
    }

    private static IssuerView view(Row row, List<Row> all, Instant now) {
        List<X509Certificate> chain = new ArrayList<>();
        if (row.certificate() != null) {
            chain.add(row.certificate());
            chain.addAll(row.chain());
        }
        return new IssuerView(row.name(), row.logicalName(), row.generation(), row.source(), state(row, all, now), row.keyLocation(),
                row.keyAlgorithm(), row.subject(), row.parentName(), chain, row.predecessor(), row.successor(), row.switchAt(), row.crossCertificate(),
                row.createdAt());
    }

    /**
     * Why a CA chain (the issuer's certificate first, each followed by its issuer) cannot serve, or null: every
     * certificate valid now, each signed by the next (RFC 5280 §6.1), the last a self-signed root, and the first a CA
     * certificate allowed to sign certificates and CRLs with room for {@code pathLength} levels of issuers below it.
     */
    static String caChainProblem(List<X509Certificate> chain, int pathLength, Instant now) {
        X509Certificate first = chain.get(0);
        if (first.getBasicConstraints() < 0) {
            return "the issuer's certificate is not a CA certificate (RFC 5280 §4.2.1.9: basicConstraints has no cA)";
        }
        if (first.getBasicConstraints() < pathLength) {
            return "the issuer's certificate allows a path length of " + first.getBasicConstraints() + ", and ca-config has " + pathLength
                    + " level(s) of issuers below it (RFC 5280 §4.2.1.9)";
        }
        boolean[] usage = first.getKeyUsage();
        if (usage != null && (usage.length < 7 || !usage[5] || !usage[6])) {
            return "the issuer's certificate does not allow keyCertSign and cRLSign (RFC 5280 §4.2.1.3)";
        }
        for (X509Certificate certificate : chain) {
            if (now.isAfter(certificate.getNotAfter().toInstant())) {
                return "certificate \"" + subjectOf(certificate) + "\" expired on " + certificate.getNotAfter().toInstant();
            }
            if (now.isBefore(certificate.getNotBefore().toInstant())) {
                return "certificate \"" + subjectOf(certificate) + "\" is not valid before " + certificate.getNotBefore().toInstant();
            }
        }
        try {
            CertificateChains.checkOrdered(chain);
        } catch (ChainException e) {
            return e.getMessage();
        }
        X509Certificate last = chain.get(chain.size() - 1);
        try {
            if (!last.getIssuerX500Principal().equals(last.getSubjectX500Principal())) {
                throw new java.security.SignatureException("not self-issued");
            }
            last.verify(last.getPublicKey());
        } catch (Exception e) {
            return "the chain ends with \"" + subjectOf(last) + "\", which is not a self-signed root: add its issuers up to the root";
        }
        return null;
    }

    /**
     * A certificate's subject written as ca-config writes names: Bouncy Castle's form, RDNs in the order they are
     * encoded, which is how Certwright builds names from the configuration (the JDK's RFC 2253 form reverses them).
     */
    static String subjectOf(X509Certificate certificate) {
        return org.bouncycastle.asn1.x500.X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).toString();
    }

    /**
     * Whether two names are the same: as Bouncy Castle reads them (the order ca-config means), or, for a name written
     * in RFC 2253's reversed order (the JDK's, and how openssl's "-subj /O=.../CN=..." certificates print), as the JDK
     * reads them; attribute values compare as RFC 5280 §7.1 says (case and spaces).
     */
    static boolean sameName(String a, String b) {
        try {
            if (new org.bouncycastle.asn1.x500.X500Name(a).equals(new org.bouncycastle.asn1.x500.X500Name(b))) {
                return true;
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // not a name Bouncy Castle reads: try the JDK's form
        }
        try {
            return new X500Principal(a).equals(new X500Principal(b));
        } catch (IllegalArgumentException e) {
            return a.equals(b);
        }
    }

    private static String keyAlgorithm(PublicKey key) {
        return KeySpec.of(key).map(KeySpec::id).orElse(key.getAlgorithm());
    }

    /** The DER of a certificate, for callers that serve it. */
    public static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
