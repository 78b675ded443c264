package dev.certwright.issuance.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

import dev.certwright.platform.StartupException;
import dev.certwright.policy.IssuerDefinition;
import dev.certwright.x509.Pem;
import dev.certwright.x509.X509Exception;

/**
 * Reads an imported issuer's certificate chain and private key from its files: a PEM chain and a PEM key (PKCS#8,
 * encrypted PKCS#8 as {@code openssl pkey -aes256} writes it, or the older "EC PRIVATE KEY"/"RSA PRIVATE KEY" forms),
 * or a PKCS#12 with one key entry. Every failure is one sentence naming the configuration key and never the
 * passphrase.
 */
public final class IssuerFiles {

    /** A chain (the issuer's certificate first) and its key. */
    public record Contents(List<X509Certificate> chain, PrivateKey key) {
    }

    private IssuerFiles() {
    }

    /** Whether the files this import names are all there, so that they can be compared with what was imported. */
    public static boolean present(IssuerDefinition.ImportFiles files) {
        return files.pkcs12() != null ? Files.isRegularFile(files.pkcs12())
                : Files.isRegularFile(files.certificate()) && Files.isRegularFile(files.key());
    }

    /** The certificate chain alone (no passphrase needed for PEM). */
    public static List<X509Certificate> chain(String key, IssuerDefinition.ImportFiles files, char[] passphrase) {
        return files.pkcs12() != null ? read(key, files, passphrase).chain() : pemChain(key + ".certificate", files.certificate());
    }

    public static Contents read(String key, IssuerDefinition.ImportFiles files, char[] passphrase) {
        if (files.pkcs12() != null) {
            return pkcs12(key + ".pkcs12", files.pkcs12(), passphrase);
        }
        return new Contents(pemChain(key + ".certificate", files.certificate()), pemKey(key + ".key", files.key(), passphrase));
    }

    private static List<X509Certificate> pemChain(String key, Path file) {
        try {
            List<X509Certificate> chain = Pem.decodeCertificates(Files.readString(file, StandardCharsets.US_ASCII));
            return chain;
        } catch (IOException e) {
            throw new StartupException(key + ": cannot read " + file + " (" + e.getMessage() + ")");
        } catch (X509Exception e) {
            throw new StartupException(key + ": " + file + " is not a PEM certificate chain (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey pemKey(String key, Path file, char[] passphrase) {
        Object object;
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
            object = parser.readObject();
        } catch (IOException e) {
            throw new StartupException(key + ": cannot read " + file + " as a PEM private key (" + e.getMessage() + ")");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().build(need(key, passphrase))));
            }
            if (object instanceof PEMEncryptedKeyPair encrypted) {
                return converter.getKeyPair(encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().build(need(key, passphrase)))).getPrivate();
            }
        } catch (PKCSException | OperatorCreationException | IOException e) {
            throw new StartupException(key + ": " + file + " cannot be decrypted: the passphrase is wrong or the key is damaged");
        }
        throw new StartupException(key + ": " + file + " holds no private key (expected a PEM \"PRIVATE KEY\" block)");
    }

    private static Contents pkcs12(String key, Path file, char[] passphrase) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, need(key, passphrase));
        } catch (IOException e) {
            throw new StartupException(key + ": " + file + " cannot be opened: the passphrase is wrong or it is not a PKCS#12");
        } catch (GeneralSecurityException e) {
            throw new StartupException(key + ": " + file + " cannot be opened as a PKCS#12 (" + e.getMessage() + ")");
        }
        try {
            List<String> keys = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.size() != 1) {
                throw new StartupException(key + ": " + file + " holds " + keys.size() + " keys; give a PKCS#12 with the issuer's key alone");
            }
            PrivateKey privateKey = (PrivateKey) store.getKey(keys.get(0), passphrase);
            Certificate[] chain = store.getCertificateChain(keys.get(0));
            if (chain == null || chain.length == 0) {
                throw new StartupException(key + ": " + file + " holds the key without its certificate");
            }
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : chain) {
                certificates.add((X509Certificate) certificate);
            }
            return new Contents(certificates, privateKey);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new StartupException(key + ": the key in " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static char[] need(String key, char[] passphrase) {
        if (passphrase == null) {
            throw new StartupException(key + " is encrypted: name the environment variable holding its passphrase in passphraseEnv");
        }
        return passphrase;
    }
}
