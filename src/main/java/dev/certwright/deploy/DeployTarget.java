package dev.certwright.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A deployment target: an SSH host, the files a managed certificate is written to there, the reload command an admin
 * fixed for it, and the TLS endpoint that must serve the certificate afterwards.
 *
 * @param kind {@code files}, {@code nginx} (needs fullchainPath and keyPath) or {@code haproxy} (needs
 *        combinedPemPath: leaf, chain and key in one file)
 * @param hostKeySha256 the pinned host key: OpenSSH's SHA256 fingerprint ({@code ssh-keygen -lf}), with or without the
 *        {@code SHA256:} prefix
 * @param fileUid owner uid of the written files, or null for the SSH user's
 * @param fileMode mode of certificate files (default 0644); {@code keyMode} of files holding the key (default 0600)
 * @param webroot optional: the directory the target's web server serves for {@code /.well-known/acme-challenge/},
 *        where upstream http-01 answers are pushed over SFTP (decision 76); absolute, validated like the paths
 */
public record DeployTarget(String name, String kind, String host, int port, String user, String hostKeySha256, Paths paths,
        Integer fileUid, Integer fileGid, int fileMode, int keyMode, String reloadCommand, Probe probe, String webroot) {

    /** A target without a webroot. */
    public DeployTarget(String name, String kind, String host, int port, String user, String hostKeySha256, Paths paths,
            Integer fileUid, Integer fileGid, int fileMode, int keyMode, String reloadCommand, Probe probe) {
        this(name, kind, host, port, user, hostKeySha256, paths, fileUid, fileGid, fileMode, keyMode, reloadCommand, probe, null);
    }

    /** This target with another webroot. */
    public DeployTarget withWebroot(String value) {
        return new DeployTarget(name, kind, host, port, user, hostKeySha256, paths, fileUid, fileGid, fileMode, keyMode, reloadCommand, probe,
                value);
    }

    public static final List<String> KINDS = List.of("files", "nginx", "haproxy");
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]{1,253}");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");
    private static final Pattern FINGERPRINT = Pattern.compile("[A-Za-z0-9+/]{43}");

    /** The files a target receives; each one that is set is written. */
    public record Paths(String certificatePath, String chainPath, String fullchainPath, String keyPath, String combinedPemPath) {

        /** Path by role, in the order the files are installed: key-bearing files first. */
        public Map<String, String> byRole() {
            Map<String, String> out = new LinkedHashMap<>();
            put(out, "key", keyPath);
            put(out, "combined", combinedPemPath);
            put(out, "certificate", certificatePath);
            put(out, "chain", chainPath);
            put(out, "fullchain", fullchainPath);
            return out;
        }

        private static void put(Map<String, String> out, String role, String path) {
            if (path != null) {
                out.put(role, path);
            }
        }
    }

    /** Where the TLS probe connects, and the SNI name it sends. */
    public record Probe(String host, int port, String serverName) {
    }

    /** The fingerprint without its {@code SHA256:} prefix. */
    public String pinnedFingerprint() {
        return hostKeySha256.startsWith("SHA256:") ? hostKeySha256.substring(7) : hostKeySha256;
    }

    /** Every problem with this target, in words an admin can act on; empty when it is valid. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            out.add("name must be 1 to 64 characters of lowercase letters, digits, '.', '-' or '_'");
        }
        if (kind == null || !KINDS.contains(kind)) {
            out.add("kind must be one of " + KINDS);
        }
        if (host == null || !HOST.matcher(host).matches()) {
            out.add("host must be a host name or IP address");
        }
        if (port < 1 || port > 65535) {
            out.add("port must be between 1 and 65535");
        }
        if (user == null || !USER.matcher(user).matches()) {
            out.add("user must be a POSIX user name");
        }
        if (hostKeySha256 == null || !FINGERPRINT.matcher(pinnedFingerprint()).matches()) {
            out.add("hostKeySha256 must be the host key's SHA256 fingerprint as ssh-keygen -lf prints it (SHA256: and 43 base64 characters)");
        }
        if (paths == null || paths.byRole().isEmpty()) {
            out.add("paths must name at least one file");
        } else {
            paths.byRole().forEach((role, path) -> {
                String problem = pathProblem(path);
                if (problem != null) {
                    out.add("paths." + role + "Path " + problem);
                }
            });
            if ("nginx".equals(kind) && (paths.fullchainPath() == null || paths.keyPath() == null)) {
                out.add("an nginx target needs paths.fullchainPath and paths.keyPath (ssl_certificate and ssl_certificate_key)");
            }
            if ("haproxy".equals(kind) && paths.combinedPemPath() == null) {
                out.add("an haproxy target needs paths.combinedPemPath (the crt file with leaf, chain and key)");
            }
            if (paths.byRole().values().stream().distinct().count() != paths.byRole().size()) {
                out.add("paths must all differ");
            }
        }
        if (fileMode < 0 || fileMode > 0777 || keyMode < 0 || keyMode > 0777) {
            out.add("fileMode and keyMode must be octal permission bits such as \"0644\" and \"0600\"");
        } else if ((keyMode & 0007) != 0) {
            out.add("keyMode must give other users no access to the private key");
        }
        if ((fileUid == null) != (fileGid == null) || (fileUid != null && (fileUid < 0 || fileGid < 0))) {
            out.add("fileUid and fileGid go together, as numeric ids");
        }
        if (reloadCommand != null && (reloadCommand.isBlank() || reloadCommand.length() > 1024 || reloadCommand.contains("\n")
                || reloadCommand.contains("\r") || reloadCommand.contains("\0"))) {
            out.add("reloadCommand must be one line of at most 1024 characters");
        }
        if (probe == null || probe.host() == null || !HOST.matcher(probe.host()).matches() || probe.port() < 1 || probe.port() > 65535) {
            out.add("probe must give the host and port of the TLS endpoint that serves the certificate");
        } else if (probe.serverName() != null && !probe.serverName().matches("[A-Za-z0-9.-]{1,253}")) {
            out.add("probe.serverName must be a DNS name (the SNI the probe sends)");
        }
        if (webroot != null) {
            String problem = pathProblem(webroot);
            if (problem != null) {
                out.add("webroot " + problem.replace("file path", "directory path"));
            }
        }
        return out;
    }

    /** Why a remote path is refused: absolute, no '..' segment, no control characters, at most 1024 characters. */
    static String pathProblem(String path) {
        if (path.isEmpty() || path.length() > 1024 || !path.startsWith("/") || path.endsWith("/")) {
            return "must be an absolute file path of at most 1024 characters";
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "must not contain newlines or other control characters";
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                return "must not contain '.' or '..' segments";
            }
        }
        return null;
    }
}
