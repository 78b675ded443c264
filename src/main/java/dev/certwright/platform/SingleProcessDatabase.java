package dev.certwright.platform;

import java.util.Locale;

import javax.sql.DataSource;

/**
 * Whether the database is one that only this process can open: an embedded H2 ({@code jdbc:h2:file:} or
 * {@code jdbc:h2:mem:}) without AUTO_SERVER=TRUE. Any other URL (PostgreSQL, an H2 server) may be shared by several
 * nodes, and what the nodes share must then be in the database.
 */
public final class SingleProcessDatabase {

    private SingleProcessDatabase() {
    }

    /** True for a JDBC URL only this process can open. */
    public static boolean is(String url) {
        String u = url == null ? "" : url.toUpperCase(Locale.ROOT).replace(" ", "");
        return (u.startsWith("JDBC:H2:FILE:") || u.startsWith("JDBC:H2:MEM:")) && !u.contains("AUTO_SERVER=TRUE");
    }

    /** True for a data source only this process can open. */
    public static boolean is(DataSource dataSource) {
        try (var connection = dataSource.getConnection()) {
            return is(connection.getMetaData().getURL());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read the database URL", e);
        }
    }
}
