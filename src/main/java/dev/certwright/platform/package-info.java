/**
 * Cross-cutting wiring every module may use: configuration ({@link dev.certwright.platform.CertwrightProperties}),
 * the data directory and its secret files, the {@code Clock} and {@code SecureRandom} beans, the Bouncy Castle
 * provider, the plain-HTTP connector, security (users, roles, API tokens) and RFC 9457 problem documents.
 */
@org.springframework.modulith.ApplicationModule(displayName = "platform", allowedDependencies = "x509")
package dev.certwright.platform;
