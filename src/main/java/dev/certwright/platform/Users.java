package dev.certwright.platform;

import java.time.Clock;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Dashboard users: a name, a password hash (bcrypt, through Spring Security's delegating encoder) and a role. */
@Component
public class Users implements UserDetailsService {

    private final JdbcClient jdbc;
    private final PasswordEncoder encoder;
    private final Clock clock;

    public Users(JdbcClient jdbc, PasswordEncoder encoder, Clock clock) {
        this.jdbc = jdbc;
        this.encoder = encoder;
        this.clock = clock;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        return jdbc.sql("SELECT username, password_hash, role, enabled FROM app_user WHERE username = :u")
                .param("u", username)
                .query((rs, i) -> User.withUsername(rs.getString("username"))
                        .password(rs.getString("password_hash"))
                        .roles(rs.getString("role"))
                        .disabled(!rs.getBoolean("enabled"))
                        .build())
                .optional()
                .orElseThrow(() -> new UsernameNotFoundException("no such user"));
    }

    public boolean exists(String username) {
        return jdbc.sql("SELECT COUNT(*) FROM app_user WHERE username = :u").param("u", username).query(Long.class).single() > 0;
    }

    /** Creates a user with the given password. */
    @Transactional
    public void create(String username, String password, String role) {
        jdbc.sql("INSERT INTO app_user (username, password_hash, role, enabled, created_at) VALUES (:u, :h, :r, TRUE, :now)")
                .param("u", username).param("h", encoder.encode(password)).param("r", role).param("now", Timestamps.of(clock.instant()))
                .update();
    }

    /** Sets the password unless it already matches. Returns whether it changed. */
    @Transactional
    public boolean setPasswordIfDifferent(String username, String password) {
        String current = jdbc.sql("SELECT password_hash FROM app_user WHERE username = :u").param("u", username)
                .query(String.class).optional().orElse(null);
        if (current != null && encoder.matches(password, current)) {
            return false;
        }
        jdbc.sql("UPDATE app_user SET password_hash = :h WHERE username = :u").param("h", encoder.encode(password)).param("u", username).update();
        return true;
    }

    /** A dashboard user as listed: never the password hash. */
    public record UserInfo(String username, String role, boolean enabled, java.time.Instant createdAt) {
    }

    public java.util.List<UserInfo> list() {
        return jdbc.sql("SELECT username, role, enabled, created_at FROM app_user ORDER BY username")
                .query((rs, i) -> new UserInfo(rs.getString(1), rs.getString(2), rs.getBoolean(3), Timestamps.read(rs, "created_at"))).list();
    }

    /** Enables or disables a user (a disabled user cannot sign in); false when there is no such user. */
    @Transactional
    public boolean setEnabled(String username, boolean enabled) {
        return jdbc.sql("UPDATE app_user SET enabled = :e WHERE username = :u").param("e", enabled).param("u", username).update() > 0;
    }

    /** A user's standing as the database has it now: what a signed-in session is checked against on every request. */
    public record Standing(String role, boolean enabled) {
    }

    /** The user's current role and whether they are enabled; empty when there is no such user. */
    public java.util.Optional<Standing> standing(String username) {
        return jdbc.sql("SELECT role, enabled FROM app_user WHERE username = :u").param("u", username)
                .query((rs, i) -> new Standing(rs.getString(1), rs.getBoolean(2))).optional();
    }

    /** Sets a new password; false when there is no such user. */
    @Transactional
    public boolean setPassword(String username, String password) {
        return jdbc.sql("UPDATE app_user SET password_hash = :h WHERE username = :u").param("h", encoder.encode(password))
                .param("u", username).update() > 0;
    }

    /** Changes a user's role; false when there is no such user. */
    @Transactional
    public boolean setRole(String username, String role) {
        return jdbc.sql("UPDATE app_user SET role = :r WHERE username = :u").param("r", role).param("u", username).update() > 0;
    }
}
