/**
 * Challenge validation from the server side (RFC 8555 §8): http-01 (§8.3), dns-01 (§8.4) and tls-alpn-01 (RFC 8737),
 * resolving names through {@code certwright.acme.dns-resolver}, run asynchronously with bounded attempts and timeouts.
 */
package dev.certwright.acme.validation;
