package dev.certwright.backup.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.StartupException;

/**
 * {@code certwright.backup.*}: the PostgreSQL client tools backup and restore run. They must be of the server's major
 * version or newer (pg_dump refuses an older one).
 *
 * @param pgDump the pg_dump executable: a name looked up on PATH, or a path
 * @param pgRestore the pg_restore executable
 */
@ConfigurationProperties("certwright.backup")
public record BackupProperties(@DefaultValue("pg_dump") String pgDump, @DefaultValue("pg_restore") String pgRestore) {

    public BackupProperties {
        if (pgDump.isBlank() || pgRestore.isBlank()) {
            throw new StartupException("certwright.backup.pg-dump and certwright.backup.pg-restore must name an executable");
        }
    }
}
