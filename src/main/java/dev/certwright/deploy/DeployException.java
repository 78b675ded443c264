package dev.certwright.deploy;

/** A deployment request that cannot be carried out; the web edge maps the type to a status. */
public class DeployException extends RuntimeException {

    /** What went wrong, for the status it maps to. */
    public enum Type {
        /** 400: the request is invalid. */
        BAD_REQUEST,
        /** 404: no such target or slot. */
        NOT_FOUND,
        /** 409: the request conflicts with what exists. */
        CONFLICT
    }

    private final Type type;

    public DeployException(Type type, String message) {
        super(message);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
