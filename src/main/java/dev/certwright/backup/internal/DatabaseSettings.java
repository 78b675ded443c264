package dev.certwright.backup.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.certwright.backup.BackupException;

/**
 * The database a backup reads or a restore writes, named as the server names it: {@code spring.datasource.url},
 * {@code username} and {@code password}. The password is kept out of {@link #toString()}.
 */
public record DatabaseSettings(String url, String username, String password) {

    /** The two databases Certwright runs on. */
    public enum Kind {
        H2("h2", "database/h2.sql"), POSTGRESQL("postgresql", "database/postgresql.dump");

        private final String label;
        private final String member;

        Kind(String label, String member) {
            this.label = label;
            this.member = member;
        }

        /** The name in the manifest: {@code h2} or {@code postgresql}. */
        public String label() {
            return label;
        }

        /** The archive member that holds this database's dump. */
        public String member() {
            return member;
        }

        public static Kind of(String label) {
            for (Kind kind : values()) {
                if (kind.label.equals(label)) {
                    return kind;
                }
            }
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, "the backup names a database kind this version does not know: " + label);
        }
    }

    /** libpq connection parameters that mean the same in a JDBC URL; the others (pgjdbc's own) are not passed on. */
    private static final List<String> LIBPQ_PARAMETERS = List.of("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout",
            "application_name");

    public DatabaseSettings {
        if (url == null || url.isBlank()) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "spring.datasource.url is not set");
        }
        username = username == null ? "" : username;
        password = password == null ? "" : password;
    }

    public Kind kind() {
        if (url.startsWith("jdbc:h2:")) {
            return Kind.H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return Kind.POSTGRESQL;
        }
        throw new BackupException(BackupException.Type.BAD_REQUEST,
                "spring.datasource.url must name an H2 or a PostgreSQL database, not " + url.substring(0, Math.min(url.length(), 24)) + "…");
    }

    /**
     * The H2 database's base path ({@code …/db/certwright}; H2 adds {@code .mv.db}). Only a file database can be backed up
     * offline or restored into: {@code jdbc:h2:file:} or a plain path.
     */
    public Path h2Path() {
        String rest = url.substring("jdbc:h2:".length());
        int semicolon = rest.indexOf(';');
        String location = semicolon < 0 ? rest : rest.substring(0, semicolon);
        if (location.startsWith("file:")) {
            location = location.substring("file:".length());
        } else if (location.startsWith("mem:") || location.startsWith("tcp:") || location.startsWith("ssl:") || location.startsWith("zip:")) {
            throw new BackupException(BackupException.Type.BAD_REQUEST,
                    "spring.datasource.url names an H2 database that is not a local file (" + location.substring(0, location.indexOf(':')) + ")");
        }
        if (location.startsWith("~/")) {
            location = System.getProperty("user.home") + location.substring(1);
        }
        return Path.of(location).toAbsolutePath().normalize();
    }

    /** The file H2 keeps the database in. */
    public Path h2File() {
        Path base = h2Path();
        return base.resolveSibling(base.getFileName() + ".mv.db");
    }

    /** The URL with H2 settings appended (each {@code ;KEY=VALUE}), for opening rather than creating a database. */
    public DatabaseSettings withH2Setting(String setting) {
        return new DatabaseSettings(url + ";" + setting, username, password);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, username, password);
    }

    /**
     * The PostgreSQL database as a libpq connection URI (for pg_dump and pg_restore's {@code --dbname}): the JDBC URL's
     * hosts, ports and database, and the parameters libpq understands the same way. The user and password are passed
     * separately ({@code --username}, {@code PGPASSWORD}), never in the URI, so that no command line shows the password.
     */
    public String libpqUri() {
        String rest = url.substring("jdbc:postgresql:".length());
        String query = "";
        int question = rest.indexOf('?');
        if (question >= 0) {
            query = rest.substring(question + 1);
            rest = rest.substring(0, question);
        }
        // jdbc:postgresql:db and jdbc:postgresql:/db mean localhost:5432, as they do for pgjdbc.
        String base = rest.startsWith("//") ? "postgresql:" + rest : "postgresql://localhost/" + (rest.startsWith("/") ? rest.substring(1) : rest);
        Map<String, String> kept = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && LIBPQ_PARAMETERS.contains(pair.substring(0, equals))) {
                kept.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        }
        StringBuilder uri = new StringBuilder(base);
        String separator = "?";
        for (Map.Entry<String, String> parameter : kept.entrySet()) {
            uri.append(separator).append(parameter.getKey()).append('=').append(parameter.getValue());
            separator = "&";
        }
        return uri.toString();
    }

    /** The database's name, for messages. */
    public String databaseName() {
        if (kind() == Kind.H2) {
            return h2File().toString();
        }
        String uri = libpqUri();
        String path = uri.substring(uri.indexOf("//") + 2);
        int slash = path.indexOf('/');
        String name = slash < 0 ? "" : path.substring(slash + 1);
        int question = name.indexOf('?');
        return URLDecoder.decode(question < 0 ? name : name.substring(0, question), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + url + ", user " + username + "]";
    }
}
