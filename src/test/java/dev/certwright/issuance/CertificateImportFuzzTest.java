package dev.certwright.issuance;

import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.x509.Pem;
import dev.certwright.x509.X509Exception;

/**
 * Fuzzes the parsing part of a certificate import (PEM, RFC 7468; DER certificates, RFC 5280; the chain order check):
 * {@link CertificateImports#importPem} with the inventory, audit and events stubbed, so that only parsing and checking
 * run. An input that starts with '-' is the PEM text as given; anything else is taken as one DER certificate and
 * wrapped in a CERTIFICATE block, so that the fuzzer reaches the DER parser directly. Accepted failures:
 * {@link X509Exception} and {@link IssuanceException}; anything else, and any {@link Error}, is a finding.
 */
class CertificateImportFuzzTest {

    static CertificateImports imports;

    @BeforeAll
    static void stubbedImports() throws Exception {
        // Built from whatever its constructor asks for, so that a new collaborator does not break the harness.
        // Stub-only mocks record no invocations: a fuzzing run makes millions of calls.
        Constructor<?> constructor = CertificateImports.class.getDeclaredConstructors()[0];
        constructor.setAccessible(true);
        Class<?>[] types = constructor.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            args[i] = mock(types[i], withSettings().stubOnly());
            if (args[i] instanceof CertificateInventory inventory) {
                when(inventory.find(anyLong())).thenReturn(Optional.of(mock(CertificateRecord.class, withSettings().stubOnly())));
            }
        }
        imports = (CertificateImports) constructor.newInstance(args);
    }

    @FuzzTest(maxDuration = "10m")
    void importPem(byte[] input) {
        String pem = input.length > 0 && input[0] == '-'
                ? new String(input, StandardCharsets.ISO_8859_1)
                : Pem.encode(Pem.CERTIFICATE, input);
        try {
            imports.importPem(pem, "fuzz", List.of(), "fuzz");
        } catch (X509Exception | IssuanceException expected) {
            // the declared failures of the x509 and issuance modules
        }
    }
}
