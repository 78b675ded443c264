/** JDBC storage of ACME nonces, accounts, orders, authorizations and challenges (tables from V4__acme.sql). */
package dev.certwright.acme.store;
