package dev.certwright.platform;

/**
 * A dashboard user signed in. Published synchronously inside a transaction, so that a listener's audit entry commits
 * with it.
 *
 * @param username the user name
 * @param address the client's address
 */
public record SignInSucceeded(String username, String address) {
}
