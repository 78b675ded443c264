package dev.certwright.platform;

/**
 * The roles. ADMIN includes OPERATOR, which includes VIEWER. SERVICE is a separate role for service tokens.
 */
public final class Roles {

    public static final String ADMIN = "ADMIN";
    public static final String OPERATOR = "OPERATOR";
    public static final String VIEWER = "VIEWER";
    public static final String SERVICE = "SERVICE";

    private Roles() {
    }

    /** True for a role name an admin may give a user or token. */
    public static boolean known(String role) {
        return ADMIN.equals(role) || OPERATOR.equals(role) || VIEWER.equals(role) || SERVICE.equals(role);
    }
}
