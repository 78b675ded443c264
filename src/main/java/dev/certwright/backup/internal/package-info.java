/**
 * The backup module's machinery: the archive format, the manifest, the two databases' dump and load, the restore
 * marker, the command line's settings and its client of the server's backup endpoint.
 */
package dev.certwright.backup.internal;
