/** The upstream module's internals: its SQL, its acme4j session wiring and its properties. */
package dev.certwright.upstream.internal;
