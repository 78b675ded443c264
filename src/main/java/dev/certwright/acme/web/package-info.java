/**
 * The ACME HTTP API (RFC 8555 §7): the directory, nonces, JWS request checks ({@link dev.certwright.acme.web.AcmeRequests}),
 * the resource controllers, the one URL builder ({@link dev.certwright.acme.web.AcmeLinker}) and the problem types
 * ({@link dev.certwright.acme.web.AcmeProblem}).
 */
package dev.certwright.acme.web;
