package dev.certwright.delivery;

import dev.certwright.platform.CertwrightException;

/** A caller authenticated as a service asked for a bundle outside its scope: 403, answered by the common problem mapping. */
class BundleAccessDenied extends CertwrightException {

    BundleAccessDenied(String message) {
        super(Kind.FORBIDDEN, "forbidden", message);
    }
}
