package dev.certwright.platform;

/**
 * How people sign in to the dashboard (decision 77): with the dashboard's own users and passwords, through single
 * sign-on at an OpenID Connect provider, or both. The sign-in page shows what is on.
 *
 * @param singleSignOnPath where the single sign-on button leads (null when it is off)
 */
public record SignInMethods(boolean localUsers, boolean singleSignOn, String singleSignOnName, String singleSignOnPath) {
}
