package dev.certwright.policy.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.certwright.x509.KeySpec;
import dev.certwright.x509.X509Exception;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.IssuerDefinition;
import dev.certwright.policy.IssuerSource;
import dev.certwright.policy.KeyStoreDefinition;
import dev.certwright.policy.NamePolicy;
import dev.certwright.policy.PolicyException;
import dev.certwright.policy.Profile;
import dev.certwright.policy.UpstreamDefinition;

/**
 * Reads and validates a CA configuration file. Every error is one sentence naming the file and the key, such as
 * {@code ca-config/dev.yml: profiles.tls-server.maxValidity must be an ISO-8601 duration such as P90D, not 'soon'}.
 */
public final class CaConfigLoader {

    /** Issuer names leave room for a generation suffix ("-g12") within the database's 64 characters. */
    static final int ISSUER_NAME_LIMIT = 56;
    private static final java.util.regex.Pattern GENERATION_SUFFIX = java.util.regex.Pattern.compile("-g[0-9]+$");
    static final Set<String> EKUS = Set.of("serverAuth", "clientAuth", "codeSigning", "emailProtection", "timeStamping", "OCSPSigning");

    private final String source;

    private CaConfigLoader(String source) {
        this.source = source;
    }

    /** Loads the file; a missing or unreadable file is a configuration error too. */
    public static CaConfiguration load(Path file) {
        String source = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new CaConfigException("certwright.ca-config: the CA configuration file " + file.toAbsolutePath() + " does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parse(source, in);
        } catch (IOException e) {
            throw new CaConfigException(source + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Parses YAML text from a stream; {@code source} names it in messages. */
    public static CaConfiguration parse(String source, InputStream in) {
        Object root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(20);
            root = new Yaml(new SafeConstructor(options)).load(in);
        } catch (org.yaml.snakeyaml.error.MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new CaConfigException(source + ": is not valid YAML at line " + line + " (" + e.getProblem() + ")");
        } catch (RuntimeException e) {
            throw new CaConfigException(source + ": is not valid YAML (" + firstLine(e.getMessage()) + ")");
        }
        return new CaConfigLoader(source).read(root);
    }

    private CaConfiguration read(Object root) {
        Map<String, Object> top = map(root, "(top level)");
        onlyKeys(top, "", Set.of("keyStore", "issuers", "profiles", "policy", "upstreams"));
        KeyStoreDefinition keyStore = top.containsKey("keyStore") ? keyStore(map(top.get("keyStore"), "keyStore")) : KeyStoreDefinition.SOFTWARE;
        List<IssuerDefinition> issuers = issuers(map(required(top, "", "issuers"), "issuers"));
        Map<String, UpstreamDefinition> upstreams = top.containsKey("upstreams") ? upstreams(map(top.get("upstreams"), "upstreams")) : Map.of();
        Map<String, Profile> profiles = profiles(map(required(top, "", "profiles"), "profiles"), issuers, upstreams);
        NamePolicy policy = policy(map(required(top, "", "policy"), "policy"));
        return new CaConfiguration(source, keyStore, issuers, profiles, policy, upstreams);
    }

    /**
     * {@code upstreams}: named ACME CAs (RFC 8555). The directory must be https (RFC 8555 §6.1), or http on a
     * loopback address for tests; dns-01 needs a {@code dns} block, http-01 must not have one.
     */
    private Map<String, UpstreamDefinition> upstreams(Map<String, Object> section) {
        Map<String, UpstreamDefinition> upstreams = new LinkedHashMap<>();
        for (var entry : section.entrySet()) {
            String key = "upstreams." + entry.getKey();
            checkName(key, entry.getKey());
            Map<String, Object> m = map(entry.getValue(), key);
            onlyKeys(m, key, Set.of("directory", "trustBundle", "eab", "contact", "challenge", "dns"));
            java.net.URI directory = directory(required(m, key, "directory"), key + ".directory");
            Path trustBundle = m.containsKey("trustBundle") ? file(m.get("trustBundle"), key + ".trustBundle") : null;
            UpstreamDefinition.ExternalAccountBinding eab = null;
            if (m.containsKey("eab")) {
                Map<String, Object> e = map(m.get("eab"), key + ".eab");
                onlyKeys(e, key + ".eab", Set.of("kidEnv", "hmacEnv"));
                eab = new UpstreamDefinition.ExternalAccountBinding(environmentName(required(e, key + ".eab", "kidEnv"), key + ".eab.kidEnv"),
                        environmentName(required(e, key + ".eab", "hmacEnv"), key + ".eab.hmacEnv"));
            }
            Object contactValue = required(m, key, "contact");
            List<String> contact = contactValue instanceof String one ? List.of(string(one, key + ".contact")) : stringList(contactValue, key + ".contact");
            for (String c : contact) {
                if (!c.matches("mailto:[^@\\s,]+@[^@\\s,]+")) {
                    throw fail(key + ".contact", "has '" + c + "'; RFC 8555 §7.3 contacts are mailto: addresses such as mailto:ops@example.com");
                }
            }
            String challengeName = string(required(m, key, "challenge"), key + ".challenge");
            UpstreamDefinition.Challenge challenge = switch (challengeName) {
                case "http-01" -> UpstreamDefinition.Challenge.HTTP_01;
                case "dns-01" -> UpstreamDefinition.Challenge.DNS_01;
                default -> throw fail(key + ".challenge", "must be http-01 or dns-01, not '" + challengeName + "'");
            };
            UpstreamDefinition.DnsUpdate dns = null;
            if (challenge == UpstreamDefinition.Challenge.DNS_01) {
                dns = dnsUpdate(map(required(m, key, "dns"), key + ".dns"), key + ".dns");
            } else if (m.containsKey("dns")) {
                throw fail(key + ".dns", "is only for challenge dns-01");
            }
            upstreams.put(entry.getKey(), new UpstreamDefinition(entry.getKey(), directory, trustBundle, eab, contact, challenge, dns));
        }
        return upstreams;
    }

    private java.net.URI directory(Object value, String key) {
        String text = string(value, key);
        java.net.URI uri;
        try {
            uri = new java.net.URI(text);
        } catch (java.net.URISyntaxException e) {
            throw fail(key, "is not a URL");
        }
        String host = uri.getHost();
        boolean loopback = host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
        if (host == null || uri.getUserInfo() != null || !("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && loopback))) {
            throw fail(key, "must be an https URL of an ACME directory (http only on a loopback address), without user info");
        }
        return uri;
    }

    private static final Set<String> TSIG_ALGORITHMS = Set.of("hmac-sha256", "hmac-sha384", "hmac-sha512");

    private UpstreamDefinition.DnsUpdate dnsUpdate(Map<String, Object> d, String key) {
        onlyKeys(d, key, Set.of("server", "zone", "tsigKeyName", "tsigSecretEnv", "tsigAlgorithm"));
        String server = string(required(d, key, "server"), key + ".server");
        if (!server.matches("[A-Za-z0-9.:\\[\\]-]+")) {
            throw fail(key + ".server", "must be host or host:port of the primary name server");
        }
        String zone = string(required(d, key, "zone"), key + ".zone");
        try {
            NamePolicy.normaliseDnsName(zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone);
        } catch (PolicyException e) {
            throw fail(key + ".zone", "is not a DNS name");
        }
        String keyName = string(required(d, key, "tsigKeyName"), key + ".tsigKeyName");
        String secretEnv = environmentName(required(d, key, "tsigSecretEnv"), key + ".tsigSecretEnv");
        String algorithm = d.containsKey("tsigAlgorithm") ? string(d.get("tsigAlgorithm"), key + ".tsigAlgorithm") : "hmac-sha256";
        if (!TSIG_ALGORITHMS.contains(algorithm)) {
            throw fail(key + ".tsigAlgorithm", "must be one of " + String.join(", ", new java.util.TreeSet<>(TSIG_ALGORITHMS)) + ", not '" + algorithm + "'");
        }
        return new UpstreamDefinition.DnsUpdate(server, zone, keyName, secretEnv, algorithm);
    }

    /**
     * {@code keyStore}: software (the default) or pkcs11 with its library, token and the variable holding the PIN, and
     * where new key-encryption keys are made ({@code kek}: keystore or token).
     */
    private KeyStoreDefinition keyStore(Map<String, Object> m) {
        onlyKeys(m, "keyStore", Set.of("type", "library", "tokenLabel", "slot", "pinEnv", "kek"));
        Object slot = m.get("slot");
        if (slot != null && !(slot instanceof Integer || slot instanceof Long)) {
            throw fail("keyStore.slot", "must be a slot id, a whole number of 0 or more");
        }
        try {
            return KeyStoreDefinition.of(m.get("type") == null ? null : string(m.get("type"), "keyStore.type"),
                    optionalString(m, "keyStore", "library"), optionalString(m, "keyStore", "tokenLabel"), (Number) slot,
                    optionalString(m, "keyStore", "pinEnv"), optionalString(m, "keyStore", "kek"));
        } catch (CaConfigException e) {
            throw new CaConfigException(source + ": " + e.getMessage());
        }
    }

    private List<IssuerDefinition> issuers(Map<String, Object> section) {
        if (section.isEmpty()) {
            throw fail("issuers", "must define at least one issuer");
        }
        Map<String, IssuerDefinition> byName = new LinkedHashMap<>();
        for (var entry : section.entrySet()) {
            String key = "issuers." + entry.getKey();
            checkName(key, entry.getKey());
            if (entry.getKey().length() > ISSUER_NAME_LIMIT || GENERATION_SUFFIX.matcher(entry.getKey()).find()) {
                throw fail(key, "is not a valid issuer name: at most " + ISSUER_NAME_LIMIT
                        + " characters, not ending in -g and a number (those name an issuer's later generations)");
            }
            Map<String, Object> m = map(entry.getValue(), key);
            String sourceName = m.containsKey("source") ? string(m.get("source"), key + ".source") : "generate";
            IssuerSource issuerSource = switch (sourceName) {
                case "generate" -> IssuerSource.GENERATE;
                case "import" -> IssuerSource.IMPORT;
                case "external" -> IssuerSource.EXTERNAL;
                default -> throw fail(key + ".source", "must be generate, import or external, not '" + sourceName + "'");
            };
            byName.put(entry.getKey(), switch (issuerSource) {
                case GENERATE -> generated(entry.getKey(), key, m);
                case IMPORT -> imported(entry.getKey(), key, m);
                case EXTERNAL -> external(entry.getKey(), key, m);
            });
        }
        // Parents before children, and no cycles or dangling parents.
        List<IssuerDefinition> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (ordered.size() < byName.size()) {
            boolean progress = false;
            for (IssuerDefinition issuer : byName.values()) {
                if (!placed.contains(issuer.name()) && (issuer.root() || placed.contains(issuer.parent()))) {
                    ordered.add(issuer);
                    placed.add(issuer.name());
                    progress = true;
                }
            }
            if (!progress) {
                IssuerDefinition stuck = byName.values().stream().filter(i -> !placed.contains(i.name())).findFirst().orElseThrow();
                throw fail("issuers." + stuck.name() + ".parent", byName.containsKey(stuck.parent())
                        ? "forms a cycle of parents" : "names '" + stuck.parent() + "', which is not a configured issuer");
            }
        }
        return ordered;
    }

    private IssuerDefinition generated(String name, String key, Map<String, Object> m) {
        onlyKeys(m, key, Set.of("source", "parent", "subject", "keyAlgorithm", "validity", "pathLength"));
        return new IssuerDefinition(name, optionalString(m, key, "parent"), subject(required(m, key, "subject"), key + ".subject"),
                keySpec(required(m, key, "keyAlgorithm"), key + ".keyAlgorithm"), duration(required(m, key, "validity"), key + ".validity"),
                pathLength(m, key), IssuerSource.GENERATE, null);
    }

    /**
     * An existing CA: a PEM chain and a PEM key, or a PKCS#12, by path (relative to the configuration file's folder).
     * The files need not exist after the first start that imported them, so their presence is checked then, not here.
     */
    private IssuerDefinition imported(String name, String key, Map<String, Object> m) {
        onlyKeys(m, key, Set.of("source", "parent", "subject", "keyAlgorithm", "certificate", "key", "pkcs12", "passphraseEnv"));
        boolean pem = m.containsKey("certificate") || m.containsKey("key");
        if (pem == m.containsKey("pkcs12")) {
            throw fail(key, "with source import needs either certificate and key (PEM files) or pkcs12 (one file)");
        }
        IssuerDefinition.ImportFiles files = pem
                ? new IssuerDefinition.ImportFiles(file(required(m, key, "certificate"), key + ".certificate"), file(required(m, key, "key"), key + ".key"),
                        null, m.containsKey("passphraseEnv") ? environmentName(m.get("passphraseEnv"), key + ".passphraseEnv") : null)
                : new IssuerDefinition.ImportFiles(null, null, file(m.get("pkcs12"), key + ".pkcs12"),
                        environmentName(required(m, key, "passphraseEnv"), key + ".passphraseEnv"));
        return new IssuerDefinition(name, optionalString(m, key, "parent"),
                m.containsKey("subject") ? subject(m.get("subject"), key + ".subject") : null,
                m.containsKey("keyAlgorithm") ? keySpec(m.get("keyAlgorithm"), key + ".keyAlgorithm") : null, null, null, IssuerSource.IMPORT, files);
    }

    /** A key made here for a certificate signed elsewhere (an offline root), so it has no parent among ours. */
    private IssuerDefinition external(String name, String key, Map<String, Object> m) {
        if (m.containsKey("parent")) {
            throw fail(key + ".parent", "cannot be set with source external: the certificate comes from a CA outside Certwright"
                    + " (an issuer signed by one of ours is source generate)");
        }
        onlyKeys(m, key, Set.of("source", "subject", "keyAlgorithm", "pathLength"));
        return new IssuerDefinition(name, null, subject(required(m, key, "subject"), key + ".subject"),
                keySpec(required(m, key, "keyAlgorithm"), key + ".keyAlgorithm"), null, pathLength(m, key), IssuerSource.EXTERNAL, null);
    }

    private Integer pathLength(Map<String, Object> m, String key) {
        return m.containsKey("pathLength") ? integer(m.get("pathLength"), key + ".pathLength", 0, 10) : null;
    }

    private String subject(Object value, String key) {
        String subject = string(value, key);
        try {
            new org.bouncycastle.asn1.x500.X500Name(subject);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Bouncy Castle refuses a bad name with IllegalArgumentException, and a value it cannot encode for its
            // attribute (such as "O=#..." that is not hex DER) with ASN1ParsingException, an IllegalStateException.
            // Found by CaConfigLoaderFuzzTest.
            throw fail(key, "is not a valid X.500 name such as \"CN=My CA,O=Example\"");
        }
        return subject;
    }

    /** A path, relative ones resolved against the folder of the configuration file. */
    private Path file(Object value, String key) {
        String text = string(value, key);
        try {
            Path path = Path.of(text);
            if (path.isAbsolute()) {
                return path.normalize();
            }
            Path folder = Path.of(source).toAbsolutePath().getParent();
            return (folder == null ? path : folder.resolve(path)).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw fail(key, "is not a usable file path");
        }
    }

    private String environmentName(Object value, String key) {
        String name = string(value, key);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
            throw fail(key, "must name an environment variable (letters, digits and underscores), not hold a secret");
        }
        return name;
    }

    private Map<String, Profile> profiles(Map<String, Object> section, List<IssuerDefinition> issuers, Map<String, UpstreamDefinition> upstreams) {
        if (section.isEmpty()) {
            throw fail("profiles", "must define at least one profile");
        }
        Map<String, Profile> profiles = new LinkedHashMap<>();
        for (var entry : section.entrySet()) {
            String key = "profiles." + entry.getKey();
            checkName(key, entry.getKey());
            Map<String, Object> m = map(entry.getValue(), key);
            onlyKeys(m, key, Set.of("issuer", "upstream", "extendedKeyUsages", "minValidity", "maxValidity", "defaultValidity", "renewBefore", "acme"));
            String upstream = optionalString(m, key, "upstream");
            if (upstream != null && m.containsKey("issuer")) {
                throw fail(key + ".upstream", "cannot be set with issuer: a profile is signed by one of ours or by an upstream ACME CA");
            }
            if (upstream != null && !upstreams.containsKey(upstream)) {
                throw fail(key + ".upstream", "names '" + upstream + "', which is not a configured upstream");
            }
            String issuer = upstream != null ? null : m.containsKey("issuer") ? string(m.get("issuer"), key + ".issuer") : issuers.get(issuers.size() - 1).name();
            if (upstream == null && issuers.stream().noneMatch(i -> i.name().equals(issuer))) {
                throw fail(key + ".issuer", "names '" + issuer + "', which is not a configured issuer");
            }
            List<String> ekus = stringList(required(m, key, "extendedKeyUsages"), key + ".extendedKeyUsages");
            for (String eku : ekus) {
                if (!EKUS.contains(eku)) {
                    throw fail(key + ".extendedKeyUsages", "has '" + eku + "'; known: " + String.join(", ", new java.util.TreeSet<>(EKUS)));
                }
            }
            Duration max = duration(required(m, key, "maxValidity"), key + ".maxValidity");
            Duration min = m.containsKey("minValidity") ? duration(m.get("minValidity"), key + ".minValidity") : Duration.ofMinutes(1);
            Duration def = m.containsKey("defaultValidity") ? duration(m.get("defaultValidity"), key + ".defaultValidity") : max;
            if (min.compareTo(max) > 0) {
                throw fail(key + ".minValidity", "must not exceed maxValidity");
            }
            if (def.compareTo(min) < 0 || def.compareTo(max) > 0) {
                throw fail(key + ".defaultValidity", "must lie between minValidity and maxValidity");
            }
            Duration renewBefore = m.containsKey("renewBefore") ? duration(m.get("renewBefore"), key + ".renewBefore") : null;
            if (renewBefore != null && renewBefore.compareTo(max) >= 0) {
                throw fail(key + ".renewBefore", "must be shorter than maxValidity");
            }
            boolean acme = m.containsKey("acme") && bool(m.get("acme"), key + ".acme");
            if (upstream != null && acme) {
                throw fail(key + ".acme", "cannot be true on a profile issued by an upstream: our ACME server signs with our issuers only");
            }
            profiles.put(entry.getKey(), new Profile(entry.getKey(), issuer, List.copyOf(ekus), min, max, def, renewBefore, acme, upstream));
        }
        return profiles;
    }

    private NamePolicy policy(Map<String, Object> m) {
        onlyKeys(m, "policy", Set.of("dnsNames", "ipRanges", "keyAlgorithms", "minRsaBits", "maxRsaBits"));
        List<String> dns = new ArrayList<>();
        for (String pattern : stringList(m.getOrDefault("dnsNames", List.of()), "policy.dnsNames")) {
            String name = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
            try {
                NamePolicy.normaliseDnsName(name);
            } catch (PolicyException e) {
                throw fail("policy.dnsNames", "has '" + pattern + "', which is neither a DNS name nor *.<DNS name>");
            }
            dns.add(pattern.toLowerCase(java.util.Locale.ROOT));
        }
        List<NamePolicy.IpRange> ranges = new ArrayList<>();
        for (String cidr : stringList(m.getOrDefault("ipRanges", List.of()), "policy.ipRanges")) {
            try {
                ranges.add(NamePolicy.IpRange.parse(cidr));
            } catch (IllegalArgumentException e) {
                throw fail("policy.ipRanges", "entry " + e.getMessage());
            }
        }
        Set<String> keys = new LinkedHashSet<>();
        for (String name : stringList(required(m, "policy", "keyAlgorithms"), "policy.keyAlgorithms")) {
            keys.add(keySpec(name, "policy.keyAlgorithms").id());
        }
        int minRsa = m.containsKey("minRsaBits") ? integer(m.get("minRsaBits"), "policy.minRsaBits", 2048, 16384) : 2048;
        int maxRsa = m.containsKey("maxRsaBits") ? integer(m.get("maxRsaBits"), "policy.maxRsaBits", minRsa, 16384) : 8192;
        return new NamePolicy(List.copyOf(dns), List.copyOf(ranges), Set.copyOf(keys), minRsa, maxRsa);
    }

    // --- small typed readers; each names the key it failed on ---

    private CaConfigException fail(String key, String problem) {
        return new CaConfigException(source + ": " + key + " " + problem);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object value, String key) {
        if (!(value instanceof Map<?, ?> m)) {
            throw fail(key, "must be a mapping");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw fail(key, "has a key '" + k + "' that is not a string");
            }
        }
        return (Map<String, Object>) m;
    }

    private Object required(Map<String, Object> m, String parent, String key) {
        Object value = m.get(key);
        if (value == null) {
            throw fail(parent.isEmpty() ? key : parent + "." + key, "is required");
        }
        return value;
    }

    private void onlyKeys(Map<String, Object> m, String parent, Set<String> allowed) {
        for (String key : m.keySet()) {
            if (!allowed.contains(key)) {
                throw fail(parent.isEmpty() ? key : parent + "." + key, "is not a known key; expected one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
    }

    private void checkName(String key, String name) {
        if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw fail(key, "is not a valid name: use lowercase letters, digits and hyphens");
        }
    }

    private String string(Object value, String key) {
        if (!(value instanceof String s) || s.isBlank()) {
            throw fail(key, "must be a non-empty string");
        }
        return s;
    }

    private String optionalString(Map<String, Object> m, String parent, String key) {
        return m.get(key) == null ? null : string(m.get(key), parent + "." + key);
    }

    private List<String> stringList(Object value, String key) {
        if (!(value instanceof List<?> list)) {
            throw fail(key, "must be a list");
        }
        List<String> out = new ArrayList<>();
        for (Object item : list) {
            out.add(string(item, key));
        }
        return out;
    }

    private int integer(Object value, String key, int min, int max) {
        if (!(value instanceof Integer i) || i < min || i > max) {
            throw fail(key, "must be a whole number from " + min + " to " + max);
        }
        return i;
    }

    private boolean bool(Object value, String key) {
        if (!(value instanceof Boolean b)) {
            throw fail(key, "must be true or false");
        }
        return b;
    }

    private Duration duration(Object value, String key) {
        String text = value == null ? "" : value.toString();
        try {
            Duration d = Duration.parse(text);
            if (d.isNegative() || d.isZero()) {
                throw fail(key, "must be a positive duration");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw fail(key, "must be an ISO-8601 duration such as P90D or PT24H, not '" + text + "'");
        }
    }

    private KeySpec keySpec(Object value, String key) {
        try {
            return KeySpec.fromId(string(value, key));
        } catch (X509Exception e) {
            throw fail(key, "has " + e.getMessage());
        }
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}
