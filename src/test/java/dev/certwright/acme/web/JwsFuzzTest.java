package dev.certwright.acme.web;

import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.mock.web.MockHttpServletRequest;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.certwright.acme.store.AccountStore;
import dev.certwright.acme.store.NonceStore;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzes the ACME request check (RFC 8555 §6.2 to §6.5): the request body as a flattened JWS, parsed by Jackson and
 * Nimbus JOSE, its header rules, the key in 'jwk' and the signature. Every nonce is accepted and no account exists, so
 * that the fuzzer gets past §6.5 and reaches the signature check. The corpus holds JWSs signed with throw-away keys
 * for {@value #URL} (RS256, ES256, EdDSA), and broken ones. The only accepted failure is {@link AcmeException},
 * which the web edge maps to an {@code urn:ietf:params:acme:error:*} problem; anything else is a finding.
 */
class JwsFuzzTest {

    static final String URL = "http://localhost/acme/new-account";
    static AcmeRequests requests;

    @BeforeAll
    static void requestsWithStubbedStores() {
        // Stub-only mocks record no invocations: a fuzzing run makes millions of calls.
        NonceStore nonces = mock(NonceStore.class, withSettings().stubOnly());
        when(nonces.redeem(anyString())).thenReturn(true);
        requests = new AcmeRequests(nonces, mock(AccountStore.class, withSettings().stubOnly()), JsonMapper.builder().build());
    }

    @FuzzTest(maxDuration = "10m")
    void verify(byte[] body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/acme/new-account");
        // The base URL the application puts on the servlet context at startup (AcmeBaseUrl); the JWS url is checked against it.
        request.getServletContext().setAttribute(AcmeLinker.BASE_ATTRIBUTE, "https://localhost:8443");
        request.setContentType(AcmeRequests.JOSE_JSON);
        request.setContent(body);
        try {
            AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.EITHER);
            if (verified.jwk() != null) {
                // What newAccount does next with the key.
                AcmeRequests.thumbprint(verified.jwk());
                AcmeRequests.publicKey(verified.jwk());
            }
        } catch (AcmeException expected) {
            // the ACME edge's declared failure, answered as urn:ietf:params:acme:error:*
        }
    }
}
