package dev.certwright.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.certwright.policy.internal.CaConfigException;

/** ca-config's keyStore section as values: what it accepts, and one sentence naming the key for what it refuses. */
class KeyStoreDefinitionTest {

    @TempDir
    static Path directory;
    /** Stands in for the PKCS#11 module: the definition only checks that the file is there. */
    static String library;

    @BeforeAll
    static void library() throws Exception {
        library = Files.writeString(directory.resolve("libtoken.so"), "not really a library").toString();
    }

    @Test
    void aTokenIsNamedByItsLabel() {
        KeyStoreDefinition definition = KeyStoreDefinition.of("pkcs11", library, "certwright-ca", null, "CERTWRIGHT_HSM_PIN");

        assertThat(definition.type()).isEqualTo(KeyStoreDefinition.Type.PKCS11);
        assertThat(definition.library()).isEqualTo(Path.of(library));
        assertThat(definition.tokenLabel()).isEqualTo("certwright-ca");
        assertThat(definition.slot()).isNull();
        assertThat(definition.tokenDescription()).isEqualTo("token 'certwright-ca'");
    }

    @Test
    void orByItsSlotIdWhichMayExceedAnInt() {
        KeyStoreDefinition definition = KeyStoreDefinition.of("PKCS11", library, null, 3_000_000_000L, "HSM_PIN");

        assertThat(definition.slot()).isEqualTo(3_000_000_000L);
        assertThat(definition.tokenLabel()).isNull();
        assertThat(definition.tokenDescription()).isEqualTo("slot 3000000000");
        assertThat(KeyStoreDefinition.of("pkcs11", library, null, 0, "HSM_PIN").slot()).isZero();
    }

    @Test
    void aLabelOfThirtyTwoBytesFitsAndOneMoreDoesNot() {
        String label = "é".repeat(16);
        assertThat(KeyStoreDefinition.of("pkcs11", library, label, null, "PIN").tokenLabel()).isEqualTo(label);
        assertThatThrownBy(() -> KeyStoreDefinition.of("pkcs11", library, label + "x", null, "PIN"))
                .isInstanceOf(CaConfigException.class)
                .hasMessage("keyStore.tokenLabel '" + label + "x' is longer than a token label's 32 bytes");
    }

    /** Each refusal is one sentence that starts with the key; {@code LIB} stands for an existing library. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "no type               | -       | LIB         | ca     | -  | PIN      | keyStore.type is required: software or pkcs11",
            "another type          | pkcs12  | LIB         | ca     | -  | PIN      | keyStore.type must be software or pkcs11, not 'pkcs12'",
            "no library            | pkcs11  | -           | ca     | -  | PIN      | keyStore.library is required: the absolute path of the PKCS#11 module (.so)",
            "relative library      | pkcs11  | lib/x.so    | ca     | -  | PIN      | keyStore.library must be an absolute path, not 'lib/x.so'",
            "missing library       | pkcs11  | /x.so       | ca     | -  | PIN      | keyStore.library /x.so does not exist",
            "property in library   | pkcs11  | /${java.home}/x.so | ca | - | PIN    | keyStore.library must not contain '${', quotes or control characters",
            "label and slot        | pkcs11  | LIB         | ca     | 7  | PIN      | keyStore.tokenLabel and keyStore.slot both name the token; give one of them",
            "neither label nor slot| pkcs11  | LIB         | -      | -  | PIN      | keyStore.tokenLabel or keyStore.slot is required to name the token",
            "blank label           | pkcs11  | LIB         | ' '    | -  | PIN      | keyStore.tokenLabel must be a non-empty label without leading or trailing blanks",
            "padded label          | pkcs11  | LIB         | ' ca'  | -  | PIN      | keyStore.tokenLabel must be a non-empty label without leading or trailing blanks",
            "negative slot         | pkcs11  | LIB         | -      | -1 | PIN      | keyStore.slot must be a slot id, a whole number of 0 or more, not -1",
            "no pinEnv             | pkcs11  | LIB         | ca     | -  | -        | keyStore.pinEnv is required: the name of the environment variable that holds the user PIN",
            "a PIN as pinEnv       | pkcs11  | LIB         | ca     | -  | 12 34    | keyStore.pinEnv must be the name of an environment variable such as CERTWRIGHT_HSM_PIN, not '12 34'",
    })
    void aBrokenSectionIsRefusedNamingTheKey(String what, String type, String path, String label, Integer slot, String pinEnv, String message) {
        String resolved = "LIB".equals(path) ? library : path;
        assertThatThrownBy(() -> KeyStoreDefinition.of(type, resolved, label, slot, pinEnv))
                .isInstanceOf(CaConfigException.class)
                .hasMessage(message);
    }

    @Test
    void aSlotThatIsNotAWholeNumberIsRefused() {
        assertThatThrownBy(() -> KeyStoreDefinition.of("pkcs11", library, null, 1.5, "PIN"))
                .isInstanceOf(CaConfigException.class)
                .hasMessage("keyStore.slot must be a slot id, a whole number of 0 or more, not 1.5");
    }

    @Test
    void aLibraryPathWithALineBreakIsRefusedBeforeItReachesSunPkcs11sConfiguration() {
        assertThatThrownBy(() -> KeyStoreDefinition.of("pkcs11", library + "\nslot = 0", "ca", null, "PIN"))
                .isInstanceOf(CaConfigException.class)
                .hasMessage("keyStore.library must not contain '${', quotes or control characters");
    }

    @ParameterizedTest(name = "kek: {0} makes new key-encryption keys in the {1}")
    @CsvSource(nullValues = "-", value = {"-, KEYSTORE", "keystore, KEYSTORE", "token, TOKEN", "TOKEN, TOKEN"})
    void theKeyEncryptionKeysLiveInTheKeystoreUnlessTheTokenIsNamed(String kek, KeyStoreDefinition.KekLocation location) {
        KeyStoreDefinition definition = KeyStoreDefinition.of("pkcs11", library, "ca", null, "PIN", kek);

        assertThat(definition.kek()).isEqualTo(location);
        assertThat(definition.kekInToken()).isEqualTo(location == KeyStoreDefinition.KekLocation.TOKEN);
        assertThat(KeyStoreDefinition.SOFTWARE.kek()).isEqualTo(KeyStoreDefinition.KekLocation.KEYSTORE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "a KEK in a token without one | software | -   | -  | -   | token | keyStore.kek token needs a token: keyStore.type pkcs11",
            "another place for the KEK    | pkcs11   | LIB | ca | PIN | hsm   | keyStore.kek must be keystore or token, not 'hsm'",
    })
    void aKekSettingThatCannotBeMetIsRefusedNamingTheKey(String what, String type, String path, String label, String pinEnv, String kek,
            String message) {
        String resolved = "LIB".equals(path) ? library : path;
        assertThatThrownBy(() -> KeyStoreDefinition.of(type, resolved, label, null, pinEnv, kek))
                .isInstanceOf(CaConfigException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> new KeyStoreDefinition(KeyStoreDefinition.Type.SOFTWARE, null, null, null, null, KeyStoreDefinition.KekLocation.TOKEN))
                .isInstanceOf(CaConfigException.class)
                .hasMessage("keyStore.kek token needs a token: keyStore.type pkcs11");
    }
}
