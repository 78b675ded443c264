package dev.certwright.inventory;

import dev.certwright.platform.CertwrightException;

/** An inventory lookup or write that cannot be done as asked. */
public class InventoryException extends CertwrightException {

    /** Why. */
    public enum Type {
        NOT_FOUND(Kind.NOT_FOUND, "not-found"),
        /** A unique key already exists: issuer and serial, or a managed certificate's name. */
        DUPLICATE(Kind.CONFLICT, "duplicate"),
        /** A serial that several issuers used; the caller must name the issuer. */
        AMBIGUOUS(Kind.CONFLICT, "ambiguous-serial");

        private final Kind kind;
        private final String problemType;

        Type(Kind kind, String problemType) {
            this.kind = kind;
            this.problemType = problemType;
        }
    }

    private final Type type;

    public InventoryException(Type type, String message) {
        super(type.kind, type.problemType, message);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
