package dev.certwright.x509;

import java.security.Provider;
import java.security.Security;
import java.util.concurrent.CompletableFuture;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;

/**
 * Which JCA providers do Certwright's signing and signature checks. Measured on the target machines (see
 * docs/benchmarks.md): for P-256, Amazon Corretto Crypto Provider (native AWS-LC) signs in ~30 µs and verifies in
 * ~90 µs; Bouncy Castle takes ~180 and ~110 µs; JDK 25's SunEC ~190 and ~730 µs. So:
 * <ul>
 * <li>ACCP is installed first when it loads on this platform and passes its self-test; it then serves signing,
 * verification, key generation, and TLS's own primitives;</li>
 * <li>otherwise the JDK's providers sign, and Bouncy Castle (pure Java) checks signatures.</li>
 * </ul>
 */
public final class CryptoProviders {

    public static final String ACCP = "AmazonCorrettoCryptoProvider";
    private static volatile String description;
    /** Bouncy Castle's provider, made ahead by {@link #preload()}; null when nothing was preloaded. */
    private static volatile CompletableFuture<BouncyCastleProvider> preloaded;

    private CryptoProviders() {
    }

    /**
     * Starts making Bouncy Castle's provider on a thread of its own, for {@link #install} to take: its constructor
     * builds and checks the parameters of every named curve, a large part of a server start's own work, which then
     * overlaps with Spring reading its configuration (decision 64). Call once, first thing in {@code main}.
     */
    public static void preload() {
        if (preloaded == null) {
            preloaded = CompletableFuture.supplyAsync(BouncyCastleProvider::new,
                    runnable -> Thread.ofPlatform().name("crypto-preload").daemon(true).start(runnable));
        }
    }

    /**
     * Registers Bouncy Castle (last) and, when {@code useNative} and it is healthy here, ACCP (first). Idempotent.
     * Returns a sentence saying what was chosen, for the startup log.
     */
    public static synchronized String install(boolean useNative) {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            CompletableFuture<BouncyCastleProvider> ahead = preloaded;
            Security.addProvider(ahead != null ? ahead.join() : new BouncyCastleProvider());
        }
        if (useNative && Security.getProvider(ACCP) == null) {
            try {
                Throwable loading = AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError();
                if (loading != null) {
                    description = "ACCP is not available on this platform (" + loading + "); using the JDK's providers and Bouncy Castle";
                    return description;
                }
                AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
                AmazonCorrettoCryptoProvider.install();
            } catch (Throwable e) {
                description = "ACCP failed its self-test or could not load (" + e + "); using the JDK's providers and Bouncy Castle";
                return description;
            }
        }
        description = Security.getProvider(ACCP) != null
                ? "ACCP " + Security.getProvider(ACCP).getVersionStr() + " (native AWS-LC) signs and verifies"
                : "the JDK's providers sign and Bouncy Castle verifies (native crypto disabled)";
        return description;
    }

    /** The provider that checks signatures: ACCP when installed, else Bouncy Castle. */
    public static Provider verification() {
        Provider accp = Security.getProvider(ACCP);
        if (accp != null) {
            return accp;
        }
        Provider bc = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        return bc != null ? bc : new BouncyCastleProvider();
    }

    public static String description() {
        return description == null ? "not installed" : description;
    }
}
