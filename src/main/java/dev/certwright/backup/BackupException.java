package dev.certwright.backup;

import dev.certwright.platform.CertwrightException;

/**
 * A backup or restore that cannot be done. The message is one sentence an operator can act on: the command line prints
 * it as it is, the API answers it as a problem document. It never holds a passphrase or a token.
 */
public class BackupException extends CertwrightException {

    /** Why. */
    public enum Type {
        /** The request or the command line is unusable (a missing option, a passphrase too short). */
        BAD_REQUEST(Kind.BAD_REQUEST, "invalid-request"),
        /** The file is not a Certwright backup this version reads, is damaged, or the passphrase does not open it. */
        BAD_ARCHIVE(Kind.BAD_REQUEST, "bad-backup"),
        /** The restore target already holds a database: restore builds a new node and never overwrites one. */
        TARGET_NOT_EMPTY(Kind.CONFLICT, "restore-target-not-empty"),
        /** What the backup needs is not there now: pg_dump, the database, the server. */
        UNAVAILABLE(Kind.UNAVAILABLE, "backup-unavailable"),
        /** A dump or load step failed on the way. */
        FAILED(Kind.UNAVAILABLE, "backup-failed");

        private final Kind kind;
        private final String problemType;

        Type(Kind kind, String problemType) {
            this.kind = kind;
            this.problemType = problemType;
        }
    }

    private final Type type;

    public BackupException(Type type, String message) {
        super(type.kind, type.problemType, message);
        this.type = type;
    }

    public BackupException(Type type, String message, Throwable cause) {
        super(type.kind, type.problemType, message, cause);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
