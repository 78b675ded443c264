/**
 * Backup and restore of a node's state (decision 69): one consistent dump of the database (H2's SCRIPT in a snapshot
 * transaction, or pg_dump of an exported PostgreSQL snapshot) with a manifest, in a ZIP encrypted as CMS EnvelopedData
 * to a passphrase (RFC 5652, RFC 3211), so that {@code openssl cms -decrypt -pwri_password} opens it. The
 * {@code backup} and {@code restore} commands ({@link dev.certwright.backup.BackupCommand}) run before Spring starts;
 * a running server streams the same archive from {@code POST /api/v1/backups} ({@link dev.certwright.backup.DatabaseBackups});
 * and a restored node's first start records the restore in the audit log ({@link dev.certwright.backup.RestoreAcknowledgement}).
 */
@org.springframework.modulith.ApplicationModule(displayName = "backup", allowedDependencies = {"platform", "audit"})
package dev.certwright.backup;
