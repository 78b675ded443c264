/**
 * The ACME use cases (RFC 8555 §7.3 to §7.6), between the HTTP adapters of {@code web} and the rules of {@code domain}:
 * {@link dev.certwright.acme.application.AcmeOrders} (newOrder, finalize, certificate download),
 * {@link dev.certwright.acme.application.AcmeAuthorizations} (deactivation, challenge responses),
 * {@link dev.certwright.acme.application.AcmeAccountLifecycle} (newAccount with external account binding, contact update,
 * deactivation, key rollover) and {@link dev.certwright.acme.application.AcmeRevocations} (revokeCert). They take requests
 * whose JWS was checked, refuse with {@link dev.certwright.acme.web.AcmeException} (the ACME error vocabulary), and keep
 * the transaction boundaries: a state change and its audit entry commit together.
 */
package dev.certwright.acme.application;
