/** The ACME resources of RFC 8555 §7.1 and the rules by which their states change (§7.1.6). */
package dev.certwright.acme.domain;
