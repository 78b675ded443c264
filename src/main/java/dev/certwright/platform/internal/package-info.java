/**
 * The platform's machinery behind its API: the security filter chains and the API token filter, problem documents
 * (handler, error controller, Tomcat valve), the plain-HTTP listener, the scheduling and Quartz setup, sign-in
 * throttling, the startup failure analyzer and the checks of an AOT-built jar, and the root properties. Other modules
 * use the platform's public types (roles, users, tokens, exceptions, job budgets, timestamps), never these.
 */
package dev.certwright.platform.internal;
