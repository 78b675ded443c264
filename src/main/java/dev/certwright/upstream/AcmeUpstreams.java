package dev.certwright.upstream;

import java.net.URL;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.toolbox.JoseUtils;
import org.shredzone.acme4j.util.CSRBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.deploy.DeployTarget;
import dev.certwright.deploy.WebrootChallenges;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.UpstreamCertificates;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.policy.UpstreamDefinition;
import dev.certwright.upstream.internal.Dns01Updates;
import dev.certwright.upstream.internal.UpstreamSessions;
import dev.certwright.upstream.internal.UpstreamStore;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.RevocationReason;

/**
 * Certwright as an ACME client of the upstreams ca-config names (RFC 8555, with acme4j; decision 76). The account key
 * is made once per upstream (EC P-256), wrapped under the KEK and kept in {@code upstream_account} with its JWK
 * thumbprint (RFC 7638) and account URL; every node logs in with the same one. Orders are met by http-01 (the key
 * authorization is committed to {@code upstream_http_challenge} before the challenge is triggered, so whichever node
 * the upstream reaches answers it, and pushed over SFTP to the {@code webroot} of the deployment targets that serve the
 * name) or by dns-01 (a TXT record added by RFC 2136 update with TSIG, removed afterwards).
 */
@Service
@EnableConfigurationProperties(UpstreamProperties.class)
public class AcmeUpstreams implements UpstreamCertificates {

    private static final Logger log = LoggerFactory.getLogger(AcmeUpstreams.class);

    private final IssuancePolicy policy;
    private final UpstreamSessions sessions;
    private final UpstreamStore store;
    private final KeyWrapping keyWrapping;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final UpstreamProperties properties;
    private final Clock clock;
    private final SecureRandom random;
    private final Dns01Updates dnsUpdates;
    private final WebrootChallenges webroots;

    AcmeUpstreams(IssuancePolicy policy, UpstreamSessions sessions, UpstreamStore store, KeyWrapping keyWrapping, AuditLog audit,
            TransactionTemplate transactions, UpstreamProperties properties, Clock clock, SecureRandom random, Dns01Updates dnsUpdates,
            WebrootChallenges webroots) {
        this.dnsUpdates = dnsUpdates;
        this.webroots = webroots;
        this.policy = policy;
        this.sessions = sessions;
        this.store = store;
        this.keyWrapping = keyWrapping;
        this.audit = audit;
        this.transactions = transactions;
        this.properties = properties;
        this.clock = clock;
        this.random = random;
    }

    /** An upstream's account as the dashboard shows it: never the key. */
    public record AccountView(String upstream, String directory, String thumbprint, String accountUrl, java.time.Instant createdAt) {
    }

    /** The accounts made so far, one per upstream. */
    public List<AccountView> accounts() {
        return store.accounts().stream().map(a -> new AccountView(a.upstream(), a.directory(), a.thumbprint(), a.accountUrl(), a.createdAt()))
                .toList();
    }

    @Override
    public Obtained obtain(String upstream, List<String> dnsNames, KeyPair keys, X509Certificate replaces, String actor) {
        UpstreamDefinition definition = definition(upstream);
        List<String> tokens = new ArrayList<>();
        java.util.Map<String, List<DeployTarget>> pushed = new java.util.LinkedHashMap<>();
        List<String[]> records = new ArrayList<>();
        transactions.executeWithoutResult(tx -> store.removeExpiredChallenges()); // what a node that stopped mid-order left
        try {
            Login login = login(definition, actor);
            OrderBuilder builder = login.newOrder().domains(dnsNames);
            boolean ari = login.getSession().resourceUrlOptional(Resource.RENEWAL_INFO).isPresent();
            if (replaces != null && ari) {
                builder.replaces(replaces); // RFC 9773 §5
            }
            Order order = builder.create();
            audited(actor, "upstream.order.created", upstream, "order=" + order.getLocation() + " names=" + dnsNames
                    + (replaces != null && ari ? " replaces=" + replaces.getSerialNumber().toString(16) : ""));
            Duration timeout = properties.orderTimeout();
            for (Authorization authorization : order.getAuthorizations()) {
                if (authorization.getStatus() == Status.VALID) {
                    continue;
                }
                String domain = authorization.getIdentifier().getDomain();
                Challenge challenge;
                if (definition.challenge() == UpstreamDefinition.Challenge.DNS_01) {
                    Dns01Challenge dns = authorization.findChallenge(Dns01Challenge.class).orElseThrow(() -> failure(upstream,
                            "offers no dns-01 challenge for " + domain, null));
                    String recordName = dns.getRRName(authorization.getIdentifier());
                    dnsUpdates.add(definition.dns(), recordName, dns.getDigest()); // RFC 2136 with TSIG
                    records.add(new String[] {recordName, dns.getDigest()});
                    challenge = dns;
                } else {
                    Http01Challenge http = authorization.findChallenge(Http01Challenge.class).orElseThrow(() -> failure(upstream,
                            "offers no http-01 challenge for " + domain, null));
                    // Committed before the upstream is told to look, so that any node answers it.
                    transactions.executeWithoutResult(tx -> store.putChallenge(http.getToken(), domain, http.getAuthorization(),
                            clock.instant().plus(timeout).plus(Duration.ofMinutes(5))));
                    tokens.add(http.getToken());
                    // Also in the webroot of the targets that serve the name, for an upstream that reaches them.
                    pushed.put(http.getToken(), webroots.publish(domain, http.getToken(), http.getAuthorization()));
                    challenge = http;
                }
                challenge.trigger();
                Status status = authorization.waitForCompletion(timeout);
                if (status != Status.VALID) {
                    throw failure(upstream, "did not validate " + authorization.getIdentifier().getDomain() + " by " + definition.challenge().id()
                            + challenge.getError().map(p -> ": " + p.getDetail().orElse(p.getType().toString())).orElse(""), null);
                }
            }
            if (order.waitUntilReady(timeout) != Status.READY) {
                throw failure(upstream, "did not make the order ready", null);
            }
            CSRBuilder csr = new CSRBuilder();
            csr.addDomains(dnsNames);
            csr.sign(keys);
            order.execute(csr.getEncoded());
            if (order.waitForCompletion(timeout) != Status.VALID) {
                throw failure(upstream, "did not issue the order" + order.getError().map(p -> ": " + p.getDetail().orElse("")).orElse(""), null);
            }
            Certificate certificate = order.getCertificate();
            List<X509Certificate> chain = certificate.getCertificateChain();
            X509Certificate leaf = certificate.getCertificate();
            java.time.Instant start = null;
            java.time.Instant end = null;
            if (ari && certificate.hasRenewalInfo()) {
                RenewalInfo info = certificate.getRenewalInfo();
                start = info.getSuggestedWindowStart();
                end = info.getSuggestedWindowEnd();
            }
            audited(actor, "upstream.certificate.obtained", upstream, "serial=" + leaf.getSerialNumber().toString(16)
                    + " names=" + dnsNames + (start == null ? "" : " ariWindow=" + start + "/" + end));
            log.info("upstream {} issued serial {} for {}", upstream, leaf.getSerialNumber().toString(16), dnsNames);
            return new Obtained(leaf, chain.subList(1, chain.size()), start, end);
        } catch (AcmeException | java.io.IOException | RuntimeException e) {
            if (e instanceof IssuanceException issuance) {
                throw issuance;
            }
            throw failure(upstream, "refused or could not be reached", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(upstream, "order was interrupted", e);
        } finally {
            for (String token : tokens) {
                transactions.executeWithoutResult(tx -> store.removeChallenge(token));
            }
            pushed.forEach((token, written) -> webroots.remove(written, token));
            for (String[] record : records) {
                try {
                    dnsUpdates.remove(definition.dns(), record[0], record[1]);
                } catch (java.io.IOException | RuntimeException e) {
                    log.warn("upstream {}: could not remove the dns-01 record {}: {}", upstream, record[0], e.getMessage());
                }
            }
        }
    }

    @Override
    public void revoke(String upstream, X509Certificate certificate, RevocationReason reason, String actor) {
        UpstreamDefinition definition = definition(upstream);
        try {
            Login login = login(definition, actor);
            // RFC 8555 §7.6, signed by the account that ordered it; RFC 5280 reason codes.
            Certificate.revoke(login, certificate, org.shredzone.acme4j.RevocationReason.code(reason.code()));
            audited(actor, "upstream.certificate.revoked", upstream, "serial=" + certificate.getSerialNumber().toString(16)
                    + " reason=" + reason.name());
            log.info("upstream {} revoked serial {} ({})", upstream, certificate.getSerialNumber().toString(16), reason);
        } catch (AcmeException | RuntimeException e) {
            if (e instanceof IssuanceException issuance) {
                throw issuance;
            }
            throw failure(upstream, "did not revoke serial " + certificate.getSerialNumber().toString(16), e);
        }
    }

    /**
     * The window an upstream suggests now for a certificate it issued (RFC 9773 §4.2), and its Retry-After.
     *
     * @return empty when the upstream does not offer ARI
     */
    public java.util.Optional<SuggestedWindow> renewalInfo(String upstream, X509Certificate certificate) {
        UpstreamDefinition definition = definition(upstream);
        try {
            Login login = login(definition, "system");
            if (login.getSession().resourceUrlOptional(Resource.RENEWAL_INFO).isEmpty()) {
                return java.util.Optional.empty();
            }
            RenewalInfo info = login.bindRenewalInfo(certificate);
            java.util.Optional<java.time.Instant> retryAfter = info.fetch();
            return java.util.Optional.of(new SuggestedWindow(info.getSuggestedWindowStart(), info.getSuggestedWindowEnd(),
                    retryAfter.orElse(null), info.getExplanation().map(Object::toString).orElse(null)));
        } catch (AcmeException | RuntimeException e) {
            if (e instanceof IssuanceException issuance) {
                throw issuance;
            }
            throw failure(upstream, "did not answer renewalInfo for serial " + certificate.getSerialNumber().toString(16), e);
        }
    }

    /** An ARI answer: the suggested window, when to ask again (null: not said) and the explanation URL (or null). */
    public record SuggestedWindow(java.time.Instant start, java.time.Instant end, java.time.Instant retryAfter, String explanation) {
    }

    /** Logs in with the upstream's account, making the key and registering the account the first time. */
    private Login login(UpstreamDefinition definition, String actor) throws AcmeException {
        String name = definition.name();
        UpstreamStore.AccountRow row = store.account(name).orElse(null);
        if (row == null) {
            KeyPair made = KeySpec.fromId("EC-P256").generate(random);
            transactions.executeWithoutResult(tx -> {
                KeyWrapping.Wrapped wrapped = keyWrapping.wrap(made.getPrivate(), keyContext(name));
                store.insertKey(name, definition.directory().toString(), wrapped.kekId(), wrapped.bytes(), made.getPublic().getEncoded(),
                        thumbprint(made.getPublic()));
            });
            row = store.account(name).orElseThrow(); // ours, or the one another node inserted first
        }
        KeyPair keys = new KeyPair(publicKey(row.publicKey()), privateKey(row));
        Session session = sessions.open(definition);
        if (row.accountUrl() != null) {
            return session.login(toUrl(row.accountUrl()), keys);
        }
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(keys);
        definition.contact().forEach(builder::addContact);
        if (definition.eab() != null) {
            String kid = environment(definition.eab().kidEnv(), name);
            String hmac = environment(definition.eab().hmacEnv(), name);
            builder.withKeyIdentifier(kid, hmac); // RFC 8555 §7.3.4
        }
        Login login = builder.createLogin(session); // an existing account for this key is found again (RFC 8555 §7.3.1)
        Account account = login.getAccount();
        String url = account.getLocation().toString();
        String thumbprint = row.thumbprint();
        transactions.executeWithoutResult(tx -> {
            store.setAccountUrl(name, url);
            audit.append(actor, "upstream.account.created", "upstream", name, "directory=" + definition.directory() + " account=" + url
                    + " thumbprint=" + thumbprint);
        });
        log.info("registered the account {} (thumbprint {}) at upstream {}", url, thumbprint, name);
        return login;
    }

    /** An audit entry about an upstream, in its own transaction (the audit log appends only inside one). */
    private void audited(String actor, String action, String upstream, String details) {
        transactions.executeWithoutResult(tx -> audit.append(actor, action, "upstream", upstream, details));
    }

    private UpstreamDefinition definition(String upstream) {
        return policy.configuration().upstream(upstream).orElseThrow(() -> new IssuanceException(IssuanceException.Type.UPSTREAM_CA,
                "upstream '" + upstream + "' is not in ca-config"));
    }

    private PrivateKey privateKey(UpstreamStore.AccountRow row) {
        return keyWrapping.unwrap(row.kekId(), row.wrappedKey(), keyContext(row.upstream()));
    }

    private static PublicKey publicKey(byte[] spki) {
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the stored upstream account key cannot be read", e);
        }
    }

    /** RFC 7638 JWK thumbprint, base64url: what the upstream knows the key by, and what the dashboard shows. */
    static String thumbprint(PublicKey key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(JoseUtils.thumbprint(key));
    }

    private static String environment(String variable, String upstream) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IssuanceException(IssuanceException.Type.UPSTREAM_CA, "upstream '" + upstream + "' needs the environment variable "
                    + variable + ", which is not set");
        }
        return value;
    }

    private static URL toUrl(String url) {
        try {
            return java.net.URI.create(url).toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException("stored account URL is not a URL", e);
        }
    }

    /** Binds the wrapped account key to its upstream (AES-GCM additional data), as the KEK rotation re-wraps it. */
    static String keyContext(String upstream) {
        return UpstreamStore.accountKeyContext(upstream);
    }

    /** One sentence naming the upstream; the particulars (never a key or token) go to the log. */
    private static IssuanceException failure(String upstream, String what, Throwable cause) {
        if (cause != null) {
            log.warn("upstream {}: {}", upstream, what, cause);
        }
        return new IssuanceException(IssuanceException.Type.UPSTREAM_CA, "upstream '" + upstream + "' " + what, cause);
    }
}
