/**
 * The ACME HTTP API (RFC 8555 §7): the directory, nonces, JWS request checks ({@link dev.certwright.acme.web.AcmeRequests}),
 * the resource controllers (thin adapters: a JWS-checked request is read by {@code AcmePayloads}, handed to a use case
 * of {@code acme.application}, and its result rendered by {@code AcmeRepresentations}), the one URL builder
 * ({@link dev.certwright.acme.web.AcmeLinker}, whose {@code Paths} the routes are mapped on) and the problem types
 * ({@link dev.certwright.acme.web.AcmeProblem}).
 */
package dev.certwright.acme.web;
