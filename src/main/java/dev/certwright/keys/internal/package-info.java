/** The key-encryption key held in memory, the AES-256-GCM wrap format and the secret derivation; not used outside {@code keys}. */
package dev.certwright.keys.internal;
