package dev.certwright.acme.application;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.JWK;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.ExternalAccountKeys;
import dev.certwright.acme.domain.Account;
import dev.certwright.acme.domain.AccountStatus;
import dev.certwright.acme.store.AccountStore;
import dev.certwright.acme.web.AcmeException;
import dev.certwright.acme.web.AcmeProblem;
import dev.certwright.acme.web.AcmeRequests;
import dev.certwright.audit.AuditLog;

/**
 * RFC 8555 §7.3: the life of an account: newAccount (with §7.3.4 external account binding), contact update and
 * deactivation (§7.3.2, §7.3.6), and key rollover (§7.3.5). Each change and its audit entry commit in one transaction.
 */
@Service
public class AcmeAccountLifecycle {

    private final AccountStore accounts;
    private final ExternalAccountKeys eabKeys;
    private final AcmeProperties properties;
    private final TransactionTemplate transactions;
    private final AuditLog audit;

    AcmeAccountLifecycle(AccountStore accounts, ExternalAccountKeys eabKeys, AcmeProperties properties, TransactionTemplate transactions,
            AuditLog audit) {
        this.accounts = accounts;
        this.eabKeys = eabKeys;
        this.properties = properties;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** The outcome of a key change: the account with its new key, or the account that holds that key already. */
    public record KeyChange(Account changed, Long holderId) {
    }

    /**
     * RFC 8555 §7.3.1: the account of this key, if one exists; with {@code onlyReturnExisting}, its absence is
     * accountDoesNotExist.
     */
    public Optional<Account> existing(String thumbprint, boolean onlyReturnExisting) {
        Optional<Account> existing = accounts.findByThumbprint(thumbprint);
        if (existing.isEmpty() && onlyReturnExisting) {
            throw new AcmeException(AcmeProblem.accountDoesNotExist, "no account exists for this key");
        }
        return existing;
    }

    /**
     * RFC 8555 §7.3.4: the external key a newAccount binds (null when it carries no binding, which is refused when the
     * server requires one). The binding is a JWS by the external key (HS256, kid, the newAccount url, no nonce) whose
     * payload is the account's public key.
     */
    public ExternalAccountKeys.EabKey externalBinding(JWSObject jws, String newAccountUrl, String accountThumbprint) {
        if (jws == null) {
            if (properties.externalAccountRequired()) {
                throw new AcmeException(AcmeProblem.externalAccountRequired, "this server requires an external account binding; ask an admin for a key");
            }
            return null;
        }
        if (!JWSAlgorithm.HS256.equals(jws.getHeader().getAlgorithm())) {
            throw new AcmeException(AcmeProblem.badSignatureAlgorithm, "the external account binding must be signed with HS256",
                    Map.of("algorithms", List.of("HS256")));
        }
        if (jws.getHeader().getCustomParam("nonce") != null) {
            throw new AcmeException(AcmeProblem.malformed, "the external account binding must not carry a nonce");
        }
        if (!newAccountUrl.equals(jws.getHeader().getCustomParam("url"))) {
            throw new AcmeException(AcmeProblem.unauthorized, "the external account binding must name " + newAccountUrl);
        }
        String kid = jws.getHeader().getKeyID();
        ExternalAccountKeys.EabKey key = kid == null ? null : eabKeys.find(kid).orElse(null);
        if (key == null || key.revokedAt() != null || key.accountId() != null) {
            throw new AcmeException(AcmeProblem.unauthorized, "external account key '" + kid + "' is unknown, revoked or already bound");
        }
        try {
            if (!jws.verify(new MACVerifier(eabKeys.hmacKey(kid)))) {
                throw new AcmeException(AcmeProblem.unauthorized, "the external account binding's MAC does not verify");
            }
            JWK bound = JWK.parse(jws.getPayload().toString());
            if (!AcmeRequests.thumbprint(bound).equals(accountThumbprint)) {
                throw new AcmeException(AcmeProblem.malformed, "the external account binding binds another key");
            }
        } catch (JOSEException | java.text.ParseException e) {
            throw new AcmeException(AcmeProblem.malformed, "the external account binding cannot be checked: " + e.getMessage());
        }
        return key;
    }

    /** RFC 8555 §7.3: creates the account, binds the external key (when given) to it, and audits both at once. */
    public Account create(String thumbprint, String jwk, List<String> contact, ExternalAccountKeys.EabKey eab) {
        return transactions.execute(tx -> {
            Account account = accounts.create(thumbprint, jwk, contact, eab == null ? null : eab.owner(), eab == null ? null : eab.kid())
                    .orElseThrow(() -> new AcmeException(AcmeProblem.malformed, "an account for this key was created at the same moment; retry"));
            if (eab != null && !eabKeys.bind(eab.kid(), account.id())) {
                throw new AcmeException(AcmeProblem.unauthorized, "external account key " + eab.kid() + " is revoked or bound to another account");
            }
            audit.append(account.actor(), "acme.account.created", "acme-account", Long.toString(account.id()),
                    "thumbprint=" + thumbprint + " owner=" + account.owner() + (eab == null ? "" : " eabKid=" + eab.kid())
                            + " contacts=" + contact.size());
            return account;
        });
    }

    /** RFC 8555 §7.3.2 and §7.3.6: replaces the contact (when not null) and deactivates (when asked), audited. */
    public Account update(Account account, List<String> contact, boolean deactivate) {
        long id = account.id();
        AccountStatus wasStatus = account.status();
        return transactions.execute(tx -> {
            if (contact != null) {
                accounts.updateContact(id, contact);
                audit.append(account.actor(), "acme.account.contact-updated", "acme-account", Long.toString(id), "contacts=" + contact.size());
            }
            if (deactivate) {
                accounts.deactivate(id);
                // RFC 8555 §7.3.6: deactivation is final; audited once, when it happens.
                if (wasStatus != AccountStatus.DEACTIVATED) {
                    audit.append(account.actor(), "acme.account.deactivated", "acme-account", Long.toString(id), "");
                }
            }
            return accounts.find(id).orElseThrow();
        });
    }

    /**
     * RFC 8555 §7.3.5 key rollover, once both JWS were checked: {@code oldKeyThumbprint} must be the account's current
     * key; a new key that another account holds already is answered with that account.
     */
    public KeyChange changeKey(Account account, String oldKeyThumbprint, String newThumbprint, String newJwk) {
        if (!oldKeyThumbprint.equals(account.thumbprint())) {
            throw new AcmeException(AcmeProblem.malformed, "'oldKey' is not the account's current key");
        }
        Optional<Account> holder = accounts.findByThumbprint(newThumbprint);
        if (holder.isPresent()) {
            return new KeyChange(null, holder.get().id());
        }
        long accountId = account.id();
        String oldThumbprint = account.thumbprint();
        transactions.executeWithoutResult(tx -> {
            if (!accounts.changeKey(accountId, newThumbprint, newJwk)) {
                throw new AcmeException(AcmeProblem.malformed, "the new key is already used by an account");
            }
            audit.append(account.actor(), "acme.account.key-changed", "acme-account", Long.toString(accountId),
                    "oldThumbprint=" + oldThumbprint + " newThumbprint=" + newThumbprint);
        });
        return new KeyChange(accounts.find(accountId).orElseThrow(), null);
    }
}
