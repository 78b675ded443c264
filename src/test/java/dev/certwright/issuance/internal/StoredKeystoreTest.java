package dev.certwright.issuance.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.certwright.ca.CaKeystore;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.keys.KeyEncryptionKeySource;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.keys.internal.KeyEncryptionKey;
import dev.certwright.platform.DataDirectory;
import dev.certwright.support.MigratedH2;
import dev.certwright.support.SoftHsm;
import dev.certwright.support.SoftHsm.Token;
import dev.certwright.x509.KeySpec;

/**
 * A node that missed two KEK rotations, the first into the CA keystore ({@code kek-4}) and the second into the SoftHSM2
 * token ({@code kek-5}), reads a key the first one wrapped: it loads the token's KEK, finds it is still without
 * {@code kek-4}, and loads the stored keystore's as well. Being at the cluster's current KEK is not enough.
 */
@ExtendWith(SoftHsm.class)
class StoredKeystoreTest {

    static final SecureRandom RANDOM = new SecureRandom();
    static final char[] PASSPHRASE = "stored-keystore-test".toCharArray();

    @Test
    void aNodeTwoRotationsBehindLoadsTheKeystoresKekAfterTheTokensOne(Token token) throws Exception {
        CertificateAuthority ca = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        ca.useToken(token.definition(), System::getenv);
        Map<String, SecretKey> keks = new LinkedHashMap<>(ca.initialise(PASSPHRASE));
        CaKeystore stored = ca.keystore();
        for (String id : new String[] {"kek-2", "kek-3", "kek-4"}) {
            SecretKey kek = aesKey();
            keks.put(id, kek);
            stored = stored.withSecretKey(id, kek, PASSPHRASE, RANDOM);
        }
        ca.generateTokenKeyEncryptionKey("kek-5");

        DataSource dataSource = MigratedH2.create("stored-keystore");
        JdbcClient jdbc = JdbcClient.create(dataSource);
        jdbc.sql("INSERT INTO ca_keystore (id, keystore, created_at, version) VALUES (1, :ks, :now, 3)").param("ks", stored.bytes())
                .param("now", Timestamp.from(Instant.now())).update();
        jdbc.sql("UPDATE kek_rotation SET kek_id = 'kek-5', state = 'COMPLETED' WHERE id = 1").update();

        // The node opened the keystore when it held kek-1 to kek-3, and slept through both rotations.
        KeyEncryptionKey holder = new KeyEncryptionKey();
        holder.install(Map.of("kek-1", keks.get("kek-1"), "kek-2", keks.get("kek-2"), "kek-3", keks.get("kek-3")));
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        KeyWrapping node = new KeyWrapping(holder, RANDOM, beans.getBeanProvider(KeyEncryptionKeySource.class));
        CaBootstrap bootstrap = mock(CaBootstrap.class);
        when(bootstrap.existingPassphrase()).thenAnswer(invocation -> PASSPHRASE.clone());
        StoredKeystore source = new StoredKeystore(jdbc, node, bootstrap, mock(DataDirectory.class), dataSource, ca);
        beans.addBean("storedKeystore", source);

        // A key the kek-4 rotation's node wrapped, stored before the token rotation re-wrapped it.
        KeyEncryptionKey rotated = new KeyEncryptionKey();
        rotated.install(Map.of("kek-1", keks.get("kek-1"), "kek-4", keks.get("kek-4")));
        KeyPair key = KeySpec.EC_P256.generate(RANDOM);
        KeyWrapping.Wrapped underKek4 = new KeyWrapping(rotated, RANDOM, new StaticListableBeanFactory().getBeanProvider(KeyEncryptionKeySource.class))
                .wrap(key.getPrivate(), "certificate:7");
        assertThat(underKek4.kekId()).isEqualTo("kek-4");
        assertThat(node.keyEncryptionKeyIds()).doesNotContain("kek-4", "kek-5");

        assertThat(node.unwrap("kek-4", underKek4.bytes(), "certificate:7").getEncoded()).isEqualTo(key.getPrivate().getEncoded());
        assertThat(node.keyEncryptionKeyIds()).containsExactly("kek-1", "kek-2", "kek-3", "kek-4", "kek-5");
        assertThat(node.currentKeyEncryptionKeyId()).isEqualTo("kek-5");
        assertThat(node.inToken("kek-5")).isTrue();
        assertThat(node.inToken("kek-4")).isFalse();

        // New wraps go into the token, under the cluster's KEK, and the re-wrap moves the kek-4 key there too.
        KeyWrapping.Wrapped fresh = node.wrap(KeySpec.EC_P256.generate(RANDOM).getPrivate(), "certificate:8");
        assertThat(fresh.kekId()).isEqualTo("kek-5");
        KeyWrapping.Wrapped moved = node.rewrap("kek-4", underKek4.bytes(), "certificate:7");
        assertThat(moved.kekId()).isEqualTo("kek-5");
        assertThat(node.unwrap("kek-5", moved.bytes(), "certificate:7").getEncoded()).isEqualTo(key.getPrivate().getEncoded());
    }

    @Test
    void aNodeOneTokenRotationBehindNeedsNoKeystoreOpen(Token token) throws Exception {
        CertificateAuthority ca = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        ca.useToken(token.definition(), System::getenv);
        Map<String, SecretKey> keks = ca.initialise(PASSPHRASE);
        SecretKey inToken = ca.generateTokenKeyEncryptionKey("kek-2");
        DataSource dataSource = MigratedH2.create("stored-keystore-token");
        JdbcClient jdbc = JdbcClient.create(dataSource);
        jdbc.sql("INSERT INTO ca_keystore (id, keystore, created_at, version) VALUES (1, :ks, :now, 1)").param("ks", ca.keystore().bytes())
                .param("now", Timestamp.from(Instant.now())).update();
        jdbc.sql("UPDATE kek_rotation SET kek_id = 'kek-2', state = 'COMPLETED' WHERE id = 1").update();
        KeyEncryptionKey holder = new KeyEncryptionKey();
        holder.install(keks);
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        KeyWrapping node = new KeyWrapping(holder, RANDOM, beans.getBeanProvider(KeyEncryptionKeySource.class));
        // No passphrase: a keystore open would fail, so the test shows the token alone was enough.
        CaBootstrap bootstrap = mock(CaBootstrap.class);
        when(bootstrap.existingPassphrase()).thenThrow(new AssertionError("the keystore was opened"));
        beans.addBean("storedKeystore", new StoredKeystore(jdbc, node, bootstrap, mock(DataDirectory.class), dataSource, ca));

        KeyEncryptionKey other = new KeyEncryptionKey();
        other.install(keks);
        KeyWrapping otherNode = new KeyWrapping(other, RANDOM, new StaticListableBeanFactory().getBeanProvider(KeyEncryptionKeySource.class));
        otherNode.installTokenKeys(Map.of("kek-2", inToken), ca.tokenProvider().orElseThrow());
        KeyPair key = KeySpec.EC_P256.generate(RANDOM);
        KeyWrapping.Wrapped underToken = otherNode.wrap(key.getPrivate(), "certificate:1");

        assertThat(node.unwrap("kek-2", underToken.bytes(), "certificate:1").getEncoded()).isEqualTo(key.getPrivate().getEncoded());
        assertThat(node.wrap(key.getPrivate(), "certificate:2").kekId()).isEqualTo("kek-2");
    }

    private static SecretKey aesKey() throws Exception {
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256, RANDOM);
        return generator.generateKey();
    }
}
