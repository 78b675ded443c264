package dev.certwright.issuance;

import java.util.List;

/** The CA hierarchy was created on first start. */
public record CaBootstrapped(List<String> issuers, String actor) {
}
