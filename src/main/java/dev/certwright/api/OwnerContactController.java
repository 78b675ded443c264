package dev.certwright.api;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.issuance.IssuanceException;
import dev.certwright.notify.OwnerContacts;
import dev.certwright.platform.Roles;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Where an owner's notices go: email addresses and webhook URLs. */
@RestController
class OwnerContactController {

    private final OwnerContacts contacts;

    OwnerContactController(OwnerContacts contacts) {
        this.contacts = contacts;
    }

    /** PUT /api/v1/owners/{owner}/contacts: replaces the owner's contacts. */
    record ContactsBody(@Size(max = 20) List<@NotBlank @Size(max = 320) String> emails,
            @Size(max = 10) List<@NotBlank @Size(max = 2048) String> webhooks) {
    }

    /** A VIEWER sees webhooks without their queries (secrets often live there); an OPERATOR, who may change them, sees them whole. */
    @GetMapping("/api/v1/owners/{owner}/contacts")
    OwnerContacts.Contacts get(@PathVariable String owner, Authentication actor) {
        checkOwner(owner);
        OwnerContacts.Contacts found = contacts.get(owner);
        return mayChange(actor) ? found : found.redacted();
    }

    /**
     * An owner is what certificates and EAB keys name (Validation.OWNER: 1 to 255 printable characters). A name that no
     * owner can have is a bad request on read as on write, not an empty list that pretends it might exist.
     */
    private static void checkOwner(String owner) {
        if (owner.isBlank() || !owner.matches(Validation.OWNER)) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "owner must be 1 to 255 printable characters");
        }
    }

    private static boolean mayChange(Authentication actor) {
        return actor.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .anyMatch(a -> a.equals("ROLE_" + Roles.OPERATOR) || a.equals("ROLE_" + Roles.ADMIN));
    }

    /** Needs OPERATOR (ApiRules); audited in the transaction of the change. */
    @PutMapping(path = "/api/v1/owners/{owner}/contacts", consumes = MediaType.APPLICATION_JSON_VALUE)
    OwnerContacts.Contacts put(@PathVariable String owner, @Valid @RequestBody ContactsBody body, Authentication actor) {
        checkOwner(owner);
        try {
            return contacts.replace(owner, body.emails() == null ? List.of() : body.emails(), body.webhooks() == null ? List.of() : body.webhooks(), actor.getName());
        } catch (IllegalArgumentException e) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, e.getMessage());
        }
    }
}
