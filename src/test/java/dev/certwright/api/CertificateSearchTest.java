package dev.certwright.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.certwright.issuance.IssuanceException;

/** The API's certificate search parameters: statuses come from the inventory's enum, in any case, and a bad one says which are valid. */
class CertificateSearchTest {

    @ParameterizedTest(name = "status={0} searches {1}")
    @CsvSource({"issued, ISSUED", "Expired, EXPIRED", "REVOKED, REVOKED", "pending, PENDING", "failed, FAILED"})
    void everyEffectiveStatusIsAcceptedInAnyCase(String given, String searched) {
        assertThat(CertificateSearch.query(null, null, null, given, null, null, null, "-createdAt", 0, 50).status()).isEqualTo(searched);
    }

    @ParameterizedTest(name = "status=''{0}'' is refused")
    @ValueSource(strings = {"bogus", "", "ISSUED ", "valid"})
    void anUnknownStatusIsA400ThatListsTheValidOnes(String given) {
        assertThatThrownBy(() -> CertificateSearch.query(null, null, null, given, null, null, null, "-createdAt", 0, 50))
                .isInstanceOf(IssuanceException.class)
                .hasMessage("status must be one of EXPIRED, FAILED, ISSUED, PENDING, REVOKED");
    }
}
