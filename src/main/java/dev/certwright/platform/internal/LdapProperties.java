package dev.certwright.platform.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.StartupException;

/**
 * {@code certwright.ldap.*}: the dashboard's sign-in form also binds as the person at an LDAP directory, and takes
 * their groups from it for role bindings (decision 77). Off while {@code url} is unset.
 *
 * @param url {@code ldaps://host:636} or {@code ldap://host:389}
 * @param userDnPattern the person's DN, {@code {0}} for the name typed ({@code uid={0},ou=people,dc=example,dc=com})
 * @param groupSearchBase where groups are searched
 * @param groupSearchFilter a group of the person, {@code {0}} for the person's DN
 * @param groupNameAttribute the attribute that names a group in role bindings
 */
@ConfigurationProperties("certwright.ldap")
public record LdapProperties(String url, String userDnPattern, String groupSearchBase, @DefaultValue("(member={0})") String groupSearchFilter,
        @DefaultValue("cn") String groupNameAttribute) {

    public LdapProperties {
        if (url != null && url.isBlank()) {
            url = null;
        }
        if (url != null) {
            if (!url.startsWith("ldap://") && !url.startsWith("ldaps://")) {
                throw new StartupException("certwright.ldap.url must be ldap:// or ldaps://, not " + url);
            }
            if (userDnPattern == null || !userDnPattern.contains("{0}")) {
                throw new StartupException("certwright.ldap.user-dn-pattern must name the person with {0}, e.g. uid={0},ou=people,dc=example,dc=com");
            }
            if (groupSearchBase == null) {
                groupSearchBase = "";
            }
        }
    }

    public boolean enabled() {
        return url != null;
    }
}
