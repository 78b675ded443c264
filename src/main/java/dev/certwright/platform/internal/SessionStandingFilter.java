package dev.certwright.platform.internal;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import dev.certwright.platform.Users;

/**
 * Ends a dashboard session whose user was disabled, removed or given another role since signing in (or, signed in
 * through single sign-on or LDAP, whose role bindings no longer give the session's role): on every request
 * the session's user is checked against the database (one primary-key read), so the change takes effect at once, on
 * every node, whichever node holds the session. The session is invalidated and the browser sent to sign in again.
 */
class SessionStandingFilter extends OncePerRequestFilter {

    private final Users users;
    private final dev.certwright.platform.RoleBindings bindings;

    SessionStandingFilter(Users users, dev.certwright.platform.RoleBindings bindings) {
        this.users = users;
        this.bindings = bindings;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        boolean stale = authentication != null && authentication.isAuthenticated() && (authentication.getPrincipal() instanceof Oidc.BoundUser user
                ? !bound(authentication, user.user(), user.groups())
                : authentication.getPrincipal() instanceof LdapSignIn.Person person ? !bound(authentication, person.user(), person.groups())
                : authentication instanceof UsernamePasswordAuthenticationToken && !current(authentication));
        if (stale) {
            SecurityContextHolder.clearContext();
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            response.sendRedirect(request.getContextPath() + "/login?expired");
            return;
        }
        chain.doFilter(request, response);
    }

    /** True while the person's bindings (by user name and the groups they signed in with) still give the session's role. */
    private boolean bound(Authentication authentication, String user, java.util.List<String> groups) {
        Optional<String> role = bindings.roleOf(user, groups);
        return role.isPresent() && roles(authentication).equals(Set.of("ROLE_" + role.get()));
    }

    private static Set<String> roles(Authentication authentication) {
        return authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).filter(a -> a.startsWith("ROLE_")).collect(Collectors.toSet());
    }

    /**
     * True while the user exists, is enabled and has the role the session was granted. Only the roles are compared: the
     * session also holds authorities that are not roles (Spring Security 7 adds the factor, FACTOR_PASSWORD).
     */
    private boolean current(Authentication authentication) {
        Optional<Users.Standing> standing = users.standing(authentication.getName());
        if (standing.isEmpty() || !standing.get().enabled()) {
            return false;
        }
        return roles(authentication).equals(Set.of("ROLE_" + standing.get().role()));
    }
}
