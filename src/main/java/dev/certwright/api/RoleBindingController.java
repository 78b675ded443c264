package dev.certwright.api;

import java.net.URI;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.InventoryException;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.platform.RoleBindings;

/**
 * Role bindings (decision 77), ADMIN only: which users and groups of the identity provider get which role. Each change
 * is audited in the transaction that makes it.
 */
@RestController
class RoleBindingController {

    private final RoleBindings bindings;
    private final AuditLog audit;
    private final TransactionTemplate transactions;

    RoleBindingController(RoleBindings bindings, AuditLog audit, TransactionTemplate transactions) {
        this.bindings = bindings;
        this.audit = audit;
        this.transactions = transactions;
    }

    /** POST /api/v1/role-bindings: a {@code user} or a {@code group}, the role, and {@code owners} ({@code ["*"]}, the default). */
    record CreateBody(String user, String group, String role, List<String> owners) {
    }

    record BindingResponse(long id, String subjectKind, String subject, String role, List<String> owners, String createdBy, java.time.Instant createdAt) {

        static BindingResponse of(RoleBindings.Binding b) {
            return new BindingResponse(b.id(), b.subjectKind().code(), b.subject(), b.role(), b.owners(), b.createdBy(), b.createdAt());
        }
    }

    @PostMapping(path = "/api/v1/role-bindings", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<BindingResponse> create(@RequestBody CreateBody body, Authentication actor) {
        if ((body.user() == null) == (body.group() == null)) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "give either user or group");
        }
        RoleBindings.SubjectKind kind = body.user() != null ? RoleBindings.SubjectKind.USER : RoleBindings.SubjectKind.GROUP;
        String subject = body.user() != null ? body.user() : body.group();
        List<String> owners = body.owners() == null ? List.of(RoleBindings.ALL_OWNERS) : body.owners();
        List<String> problems = RoleBindings.problems(kind, subject, body.role(), owners);
        if (!problems.isEmpty()) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, String.join("; ", problems));
        }
        RoleBindings.Binding created = transactions.execute(tx -> {
            RoleBindings.Binding made = bindings.create(kind, subject, body.role(), owners, actor.getName()).orElseThrow(() -> new InventoryException(
                    InventoryException.Type.DUPLICATE, "that binding exists already"));
            audit.append(actor.getName(), "role-binding.created", "role-binding", Long.toString(made.id()),
                    kind.code() + "=" + subject + " role=" + made.role() + " owners=" + String.join(",", made.owners()));
            return made;
        });
        return ResponseEntity.created(URI.create("/api/v1/role-bindings/" + created.id())).body(BindingResponse.of(created));
    }

    @GetMapping("/api/v1/role-bindings")
    List<BindingResponse> list() {
        return bindings.list().stream().map(BindingResponse::of).toList();
    }

    @GetMapping("/api/v1/role-bindings/{id}")
    BindingResponse get(@PathVariable long id) {
        return bindings.find(id).map(BindingResponse::of).orElseThrow(() -> new InventoryException(InventoryException.Type.NOT_FOUND,
                "no role binding " + id));
    }

    @DeleteMapping("/api/v1/role-bindings/{id}")
    ResponseEntity<Void> delete(@PathVariable long id, Authentication actor) {
        boolean deleted = Boolean.TRUE.equals(transactions.execute(tx -> {
            RoleBindings.Binding binding = bindings.find(id).orElse(null);
            if (binding == null || !bindings.delete(id)) {
                return false;
            }
            audit.append(actor.getName(), "role-binding.deleted", "role-binding", Long.toString(id),
                    binding.subjectKind().code() + "=" + binding.subject() + " role=" + binding.role());
            return true;
        }));
        if (!deleted) {
            throw new InventoryException(InventoryException.Type.NOT_FOUND, "no role binding " + id);
        }
        return ResponseEntity.noContent().build();
    }
}
