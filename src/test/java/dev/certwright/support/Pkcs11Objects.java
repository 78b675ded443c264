package dev.certwright.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code pkcs11-tool --list-objects --login} (OpenSC) prints, read the way an operator reads it: each object as its
 * header ("Private Key Object; EC") and its indented "name: value" lines (label, ID, Usage, Access).
 */
public final class Pkcs11Objects {

    /**
     * pkcs11-tool's words for a key made in the token (PKCS#11 v2.40 §4.9: CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE,
     * CKA_NEVER_EXTRACTABLE, CKA_LOCAL).
     */
    public static final String GENERATED_ACCESS = "sensitive, always sensitive, never extractable, local";
    /** pkcs11-tool's words for an imported key: sensitive now, but its value was outside the token once. */
    public static final String IMPORTED_ACCESS = "sensitive";

    private final String listing;
    private final List<Map<String, String>> objects;

    private Pkcs11Objects(String listing) {
        this.listing = listing;
        this.objects = parse(listing);
    }

    public static Pkcs11Objects of(String listing) {
        return new Pkcs11Objects(listing);
    }

    public List<Map<String, String>> all() {
        return objects;
    }

    /** The private key whose CKA_ID is the alias (SunPKCS11 stores the alias as the key's ID). */
    public Map<String, String> privateKey(String alias) {
        String id = HexFormat.of().formatHex(alias.getBytes(StandardCharsets.UTF_8));
        return objects.stream().filter(o -> o.get("header").startsWith("Private Key Object") && id.equals(o.get("ID"))).findFirst()
                .orElseThrow(() -> new AssertionError("pkcs11-tool lists no private key with ID " + id + " (" + alias + "):\n" + listing));
    }

    /** Whether a private key with this alias as its CKA_ID is listed. */
    public boolean hasPrivateKey(String alias) {
        String id = HexFormat.of().formatHex(alias.getBytes(StandardCharsets.UTF_8));
        return objects.stream().anyMatch(o -> o.get("header").startsWith("Private Key Object") && id.equals(o.get("ID")));
    }

    /** The certificate labelled with the alias. */
    public Map<String, String> certificate(String alias) {
        return objects.stream().filter(o -> o.get("header").startsWith("Certificate Object") && alias.equals(o.get("label"))).findFirst()
                .orElseThrow(() -> new AssertionError("pkcs11-tool lists no certificate labelled " + alias + ":\n" + listing));
    }

    /** The secret key labelled so. */
    public Map<String, String> secretKey(String label) {
        return objects.stream().filter(o -> o.get("header").startsWith("Secret Key Object") && label.equals(o.get("label"))).findFirst()
                .orElseThrow(() -> new AssertionError("pkcs11-tool lists no secret key labelled " + label + ":\n" + listing));
    }

    /** How many objects have a header starting so ("Private Key Object"). */
    public long count(String header) {
        return objects.stream().filter(o -> o.get("header").startsWith(header)).count();
    }

    @Override
    public String toString() {
        return listing;
    }

    private static List<Map<String, String>> parse(String listing) {
        List<Map<String, String>> objects = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : listing.lines().toList()) {
            if (!line.startsWith(" ") && line.contains("Object")) {
                current = new LinkedHashMap<>();
                current.put("header", line.trim());
                String[] parts = line.split(";", 2);
                current.put("type", parts.length > 1 ? parts[1].trim().replaceFirst("^type = ", "") : "");
                objects.add(current);
            } else if (current != null && line.contains(":")) {
                int colon = line.indexOf(':');
                current.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return objects;
    }
}
