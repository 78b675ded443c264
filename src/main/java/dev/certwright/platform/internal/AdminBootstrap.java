package dev.certwright.platform.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.DataDirectory;
import dev.certwright.platform.Roles;
import dev.certwright.platform.StartupException;
import dev.certwright.platform.Users;

/**
 * Makes sure an admin can get in on first start. {@code CERTWRIGHT_ADMIN_TOKEN} and {@code CERTWRIGHT_ADMIN_PASSWORD},
 * when set, are the admin token and the dashboard password (stored hashed). When unset and nothing exists yet, a random
 * value is written to {@code <data-dir>/admin-token} or {@code <data-dir>/admin-password} (0600); only the path is logged.
 */
@Component
class AdminBootstrap implements InitializingBean {

    static final String ADMIN_TOKEN_NAME = "admin";
    static final String ADMIN_USER = "admin";
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final ApiTokens tokens;
    private final Users users;
    private final DataDirectory dataDirectory;
    private final String envToken;
    private final String envPassword;

    AdminBootstrap(ApiTokens tokens, Users users, DataDirectory dataDirectory,
            @Value("${CERTWRIGHT_ADMIN_TOKEN:}") String envToken, @Value("${CERTWRIGHT_ADMIN_PASSWORD:}") String envPassword) {
        this.tokens = tokens;
        this.users = users;
        this.dataDirectory = dataDirectory;
        this.envToken = envToken;
        this.envPassword = envPassword;
    }

    @Override
    public void afterPropertiesSet() {
        adminToken();
        adminPassword();
    }

    private void adminToken() {
        if (!envToken.isBlank()) {
            if (envToken.length() < 16) {
                throw new StartupException("CERTWRIGHT_ADMIN_TOKEN must be at least 16 characters long");
            }
            if (!tokens.exists(ADMIN_TOKEN_NAME)) {
                insertOnce(() -> tokens.store(ADMIN_TOKEN_NAME, Roles.ADMIN, envToken, null));
            } else if (tokens.replaceValue(ADMIN_TOKEN_NAME, envToken)) {
                log.info("admin API token replaced by the value of CERTWRIGHT_ADMIN_TOKEN");
            }
            return;
        }
        if (!tokens.exists(ADMIN_TOKEN_NAME)) {
            String file = "admin-token";
            if (dataDirectory.readSecret(file).isPresent()) {
                throw new StartupException(dataDirectory.resolve(file) + " exists but the database has no admin token; "
                        + "remove the file or set CERTWRIGHT_ADMIN_TOKEN");
            }
            String token = tokens.create(ADMIN_TOKEN_NAME, Roles.ADMIN, null);
            dataDirectory.writePrivateFile(file, token + "\n");
            log.info("created the admin API token; it is in {}", dataDirectory.resolve(file));
        }
    }

    private void adminPassword() {
        if (!envPassword.isBlank()) {
            if (!users.exists(ADMIN_USER)) {
                insertOnce(() -> users.create(ADMIN_USER, envPassword, Roles.ADMIN));
            } else if (users.setPasswordIfDifferent(ADMIN_USER, envPassword)) {
                log.info("dashboard password of 'admin' set from CERTWRIGHT_ADMIN_PASSWORD");
            }
            return;
        }
        if (!users.exists(ADMIN_USER)) {
            String file = "admin-password";
            String password = dataDirectory.readSecret(file).orElse(null);
            if (password == null) {
                password = dataDirectory.createSecret(file);
            }
            String chosen = password;
            insertOnce(() -> users.create(ADMIN_USER, chosen, Roles.ADMIN));
            log.info("created the dashboard user 'admin'; its password is in {}", dataDirectory.resolve(file));
        }
    }

    /** Another node starting at the same moment may have inserted it first; theirs stands. */
    private static void insertOnce(Runnable insert) {
        try {
            insert.run();
        } catch (DuplicateKeyException e) {
            log.info("another node created it first");
        }
    }
}
