package dev.certwright.platform;

/**
 * A dashboard sign-in failed. Published synchronously inside the transaction that counts the failure, so that a
 * listener's audit entry commits with the count. Never carries the password.
 *
 * @param username the user name that was tried (as typed, at most 128 characters)
 * @param address the client's address
 * @param reason why, in words that say nothing about whether the user exists: {@code bad-credentials} or {@code disabled}
 */
public record SignInFailed(String username, String address, String reason) {
}
