package dev.certwright.ca;

import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the slot that holds a token by the token's label. SunPKCS11's configuration names a slot (or an index in the
 * slot list), never a token label, so the slots are listed here with the JDK's own PKCS#11 wrapper,
 * {@code sun.security.pkcs11.wrapper.PKCS11}: C_GetSlotList and C_GetTokenInfo (PKCS#11 v2.40 §5.5). The wrapper is
 * not an exported API. It is reached by reflection (a {@code --release 21} build cannot compile against it), and only
 * with the JVM option {@link #ADD_EXPORTS}, which the jar's manifest ({@code Add-Exports}) and the test JVMs carry.
 * Without it, the one remedy is to name the slot in the configuration.
 *
 * <p>The wrapper keeps one initialised instance per library path (C_Initialize may be called once per process), and
 * SunPKCS11 asks it for the same instance, so this lookup and the provider share one initialisation.
 */
final class Pkcs11Slots {

    /** The JVM option that opens the wrapper to Certwright's code. */
    static final String ADD_EXPORTS = "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED";

    private static final String WRAPPER = "sun.security.pkcs11.wrapper.";
    /** PKCS#11 v2.40 §5.4 CK_C_INITIALIZE_ARGS.flags: the library may use the operating system's locks. */
    private static final long CKF_OS_LOCKING_OK = 0x00000002L;
    /** PKCS#11 v2.40 §3.2 CK_TOKEN_INFO.flags: the token has been initialised (it has a label and an SO PIN). */
    private static final long CKF_TOKEN_INITIALIZED = 0x00000400L;

    private Pkcs11Slots() {
    }

    /** A slot with a token in it, and that token's label. */
    record Slot(long id, String label) {
    }

    /**
     * The slot whose token is labelled {@code label}.
     *
     * @throws CaException when no token or more than one token has that label, or the wrapper cannot be used
     */
    static long slotOf(String library, String label) {
        List<Slot> slots = slots(library);
        List<Slot> matching = slots.stream().filter(s -> s.label().equals(label)).toList();
        if (matching.size() == 1) {
            return matching.get(0).id();
        }
        if (matching.isEmpty()) {
            throw new CaException(CaException.Type.KEYSTORE, "no token in " + library + " is labelled '" + label
                    + "' (the tokens there: " + (slots.isEmpty() ? "none" : String.join(", ", slots.stream().map(s -> "'" + s.label() + "'").toList())) + ")");
        }
        throw new CaException(CaException.Type.KEYSTORE, matching.size() + " tokens in " + library + " are labelled '" + label
                + "' (slots " + String.join(", ", matching.stream().map(s -> Long.toString(s.id())).toList()) + "); name one with keyStore.slot");
    }

    /** Every slot of the library with an initialised token in it (C_GetSlotList with tokenPresent = TRUE), in the library's order. */
    static List<Slot> slots(String library) {
        try {
            Class<?> pkcs11 = Class.forName(WRAPPER + "PKCS11");
            Class<?> initArgsType = Class.forName(WRAPPER + "CK_C_INITIALIZE_ARGS");
            Object initArgs = initArgsType.getConstructor().newInstance();
            initArgsType.getField("flags").setLong(initArgs, CKF_OS_LOCKING_OK);
            // The same arguments SunPKCS11 passes (its default function list name), so both get one cached instance.
            Object module = pkcs11.getMethod("getInstance", String.class, String.class, initArgsType, boolean.class)
                    .invoke(null, library, "C_GetFunctionList", initArgs, false);
            long[] ids = (long[]) pkcs11.getMethod("C_GetSlotList", boolean.class).invoke(module, true);
            List<Slot> slots = new ArrayList<>();
            for (long id : ids) {
                Object info = pkcs11.getMethod("C_GetTokenInfo", long.class).invoke(module, id);
                // A token not initialised yet (SoftHSM2 always offers one such) has no label to match.
                if ((info.getClass().getField("flags").getLong(info) & CKF_TOKEN_INITIALIZED) != 0) {
                    slots.add(new Slot(id, label((char[]) info.getClass().getField("label").get(info))));
                }
            }
            return slots;
        } catch (ClassNotFoundException | IllegalAccessException | NoSuchMethodException | NoSuchFieldException | InstantiationException e) {
            throw new CaException(CaException.Type.KEYSTORE, "keyStore.tokenLabel cannot be looked up in this JVM (it needs the option "
                    + ADD_EXPORTS + "); name the token's slot with keyStore.slot instead");
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new CaException(CaException.Type.KEYSTORE, "cannot list the tokens of " + library + " (" + cause.getMessage() + ")", cause);
        }
    }

    /**
     * The label as the library wrote it: 32 bytes of UTF-8 padded with blanks (PKCS#11 v2.40 §3.2 CK_TOKEN_INFO), which
     * the wrapper hands over one byte per char.
     */
    static String label(char[] padded) {
        byte[] bytes = new byte[padded.length];
        for (int i = 0; i < padded.length; i++) {
            bytes[i] = (byte) padded[i];
        }
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == ' ' || bytes[end - 1] == 0)) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
