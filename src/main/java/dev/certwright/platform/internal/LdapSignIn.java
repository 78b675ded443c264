package dev.certwright.platform.internal;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ldap.core.support.LdapContextSource;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticatedPrincipal;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.ldap.authentication.BindAuthenticator;
import org.springframework.security.ldap.authentication.LdapAuthenticationProvider;
import org.springframework.security.ldap.userdetails.DefaultLdapAuthoritiesPopulator;

import dev.certwright.platform.RoleBindings;

/**
 * The sign-in form's LDAP way (decision 77): Spring Security's bind authentication as the person's DN, their groups by
 * a search, and their role from the role bindings of their name and groups. One without a binding is refused like a
 * wrong password, so that the form tells nobody which names exist. The session is {@code ldap:<name>}.
 */
final class LdapSignIn implements AuthenticationProvider {

    private static final Logger log = LoggerFactory.getLogger(LdapSignIn.class);

    /** A person signed in through the directory, with the groups it gave at sign-in (checked again on each request). */
    record Person(String user, List<String> groups) implements AuthenticatedPrincipal {

        @Override
        public String getName() {
            return "ldap:" + user;
        }
    }

    private final LdapAuthenticationProvider ldap;
    private final RoleBindings roles;

    LdapSignIn(LdapProperties properties, RoleBindings roles) {
        this.roles = roles;
        LdapContextSource source = new LdapContextSource();
        source.setUrl(properties.url());
        source.setAnonymousReadOnly(true);
        source.afterPropertiesSet();
        BindAuthenticator bind = new BindAuthenticator(source);
        bind.setUserDnPatterns(new String[] {properties.userDnPattern()});
        DefaultLdapAuthoritiesPopulator groups = new DefaultLdapAuthoritiesPopulator(source, properties.groupSearchBase());
        groups.setGroupSearchFilter(properties.groupSearchFilter());
        groups.setGroupRoleAttribute(properties.groupNameAttribute());
        groups.setRolePrefix("");
        groups.setConvertToUpperCase(false);
        groups.setSearchSubtree(true);
        this.ldap = new LdapAuthenticationProvider(bind, groups);
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String name = authentication.getName();
        if (name == null || name.isBlank() || name.length() > 255 || name.chars().anyMatch(Character::isISOControl)) {
            throw new BadCredentialsException("Bad credentials");
        }
        Authentication bound = ldap.authenticate(authentication); // BadCredentialsException for a wrong password or unknown DN
        List<String> groups = bound.getAuthorities().stream().map(GrantedAuthority::getAuthority).filter(g -> !g.isBlank()).limit(500).toList();
        Optional<String> role = roles.roleOf(name, groups);
        if (role.isEmpty()) {
            log.info("LDAP sign-in of {} refused: no role binding names it or one of its groups {}", name, groups);
            throw new BadCredentialsException("Bad credentials");
        }
        UsernamePasswordAuthenticationToken signedIn = UsernamePasswordAuthenticationToken.authenticated(new Person(name, groups), null,
                Set.of(new SimpleGrantedAuthority("ROLE_" + role.get())));
        signedIn.setDetails(authentication.getDetails());
        return signedIn;
    }

    @Override
    public boolean supports(Class<?> type) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(type);
    }
}
