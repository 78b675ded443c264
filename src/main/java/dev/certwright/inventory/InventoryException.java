package dev.certwright.inventory;

/** An inventory lookup or write that cannot be done as asked. */
public class InventoryException extends RuntimeException {

    /** Why. */
    public enum Type {
        NOT_FOUND,
        /** A unique key already exists: issuer and serial, or a managed certificate's name. */
        DUPLICATE,
        /** A serial that several issuers used; the caller must name the issuer. */
        AMBIGUOUS
    }

    private final Type type;

    public InventoryException(Type type, String message) {
        super(message);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
