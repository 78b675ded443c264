package dev.certwright.dashboard;

import java.util.List;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.certwright.audit.AuditLog;
import dev.certwright.platform.RoleBindings;
import dev.certwright.platform.Roles;
import dev.certwright.platform.Users;

/**
 * The dashboard's users (ADMIN): create, enable or disable, change the role or the password; and the role bindings of
 * single sign-on and LDAP (decision 77); each change audited.
 */
@Controller
class UserPages {

    private final Users users;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final RoleBindings bindings;

    UserPages(Users users, AuditLog audit, TransactionTemplate transactions, RoleBindings bindings) {
        this.users = users;
        this.audit = audit;
        this.transactions = transactions;
        this.bindings = bindings;
    }

    @GetMapping("/users")
    String users(Model model) {
        model.addAttribute("users", users.list());
        model.addAttribute("bindings", bindings.list());
        model.addAttribute("roles", List.of(Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN));
        return "users";
    }

    @PostMapping("/users")
    String createUser(@RequestParam String username, @RequestParam String password, @RequestParam String role, Authentication actor,
            RedirectAttributes redirect) {
        String name = username.trim();
        if (!name.matches("[A-Za-z0-9._@-]{1,128}")) {
            throw new IllegalArgumentException("a user name is 1 to 128 letters, digits, '.', '_', '@' or '-'");
        }
        if (!List.of(Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN).contains(role)) {
            throw new IllegalArgumentException("role must be VIEWER, OPERATOR or ADMIN");
        }
        if (password.length() < 12 || password.length() > 200) {
            throw new IllegalArgumentException("a password has 12 to 200 characters");
        }
        if (users.exists(name)) {
            throw new IllegalArgumentException("a user named " + name + " exists");
        }
        transactions.executeWithoutResult(tx -> {
            users.create(name, password, role);
            audit.append(actor.getName(), "user.created", "user", name, "role=" + role);
        });
        redirect.addFlashAttribute("flash", "User " + name + " (" + role + ") created.");
        return "redirect:/users";
    }

    /** A role binding for single sign-on and LDAP (decision 77), as {@code POST /api/v1/role-bindings} makes it. */
    @PostMapping("/users/role-bindings")
    String bind(@RequestParam String kind, @RequestParam String subject, @RequestParam String role, Authentication actor, RedirectAttributes redirect) {
        RoleBindings.SubjectKind subjectKind = RoleBindings.SubjectKind.of(kind).orElse(null);
        String name = subject.trim();
        List<String> problems = RoleBindings.problems(subjectKind, name, role, List.of(RoleBindings.ALL_OWNERS));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        transactions.executeWithoutResult(tx -> {
            RoleBindings.Binding made = bindings.create(subjectKind, name, role, List.of(RoleBindings.ALL_OWNERS), actor.getName())
                    .orElseThrow(() -> new IllegalArgumentException("that binding exists already"));
            audit.append(actor.getName(), "role-binding.created", "role-binding", Long.toString(made.id()),
                    kind + "=" + name + " role=" + role + " owners=*");
        });
        redirect.addFlashAttribute("flash", "The " + kind + " " + name + " is bound to " + role + ".");
        return "redirect:/users";
    }

    @PostMapping("/users/role-bindings/{id}/delete")
    String unbind(@PathVariable long id, Authentication actor, RedirectAttributes redirect) {
        transactions.executeWithoutResult(tx -> {
            RoleBindings.Binding binding = bindings.find(id).orElseThrow(() -> new DashboardAdvice.NotFound("no role binding " + id));
            bindings.delete(id);
            audit.append(actor.getName(), "role-binding.deleted", "role-binding", Long.toString(id),
                    binding.subjectKind().code() + "=" + binding.subject() + " role=" + binding.role());
        });
        redirect.addFlashAttribute("flash", "Role binding " + id + " removed.");
        return "redirect:/users";
    }

    @PostMapping("/users/{username}/enabled")
    String enable(@PathVariable String username, @RequestParam boolean enabled, Authentication actor, RedirectAttributes redirect) {
        if (username.equals(actor.getName()) && !enabled) {
            throw new IllegalArgumentException("you cannot disable yourself");
        }
        transactions.executeWithoutResult(tx -> {
            if (!users.setEnabled(username, enabled)) {
                throw new DashboardAdvice.NotFound("no user " + username);
            }
            audit.append(actor.getName(), enabled ? "user.enabled" : "user.disabled", "user", username, "");
        });
        redirect.addFlashAttribute("flash", "User " + username + (enabled ? " enabled." : " disabled."));
        return "redirect:/users";
    }

    @PostMapping("/users/{username}/role")
    String changeRole(@PathVariable String username, @RequestParam String role, Authentication actor, RedirectAttributes redirect) {
        if (!List.of(Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN).contains(role)) {
            throw new IllegalArgumentException("role must be VIEWER, OPERATOR or ADMIN");
        }
        if (username.equals(actor.getName())) {
            throw new IllegalArgumentException("you cannot change your own role");
        }
        transactions.executeWithoutResult(tx -> {
            String before = users.standing(username).map(Users.Standing::role)
                    .orElseThrow(() -> new DashboardAdvice.NotFound("no user " + username));
            users.setRole(username, role);
            audit.append(actor.getName(), "user.role-changed", "user", username, "from=" + before + " to=" + role);
        });
        // The user's open sessions end on their next request (SessionStandingFilter): they sign in again with the new role.
        redirect.addFlashAttribute("flash", "User " + username + " is now " + role + ".");
        return "redirect:/users";
    }

    @PostMapping("/users/{username}/password")
    String changePassword(@PathVariable String username, @RequestParam String password, Authentication actor, RedirectAttributes redirect) {
        if (password.length() < 12 || password.length() > 200) {
            throw new IllegalArgumentException("a password has 12 to 200 characters");
        }
        transactions.executeWithoutResult(tx -> {
            if (!users.setPassword(username, password)) {
                throw new DashboardAdvice.NotFound("no user " + username);
            }
            audit.append(actor.getName(), "user.password-changed", "user", username, "");
        });
        redirect.addFlashAttribute("flash", "The password of " + username + " is changed.");
        return "redirect:/users";
    }
}
