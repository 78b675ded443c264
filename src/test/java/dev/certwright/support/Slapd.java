package dev.certwright.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's OpenLDAP {@code slapd} on a loopback port, with an MDB database under a temporary directory that the test
 * loads with {@code slapadd} before the start: {@code dc=certwright,dc=test}, people under {@code ou=people} (uid,
 * with the passwords the test gives) and groups under {@code ou=groups} ({@code groupOfNames}, {@code member} DNs).
 */
public final class Slapd implements AutoCloseable {

    public static final String SUFFIX = "dc=certwright,dc=test";
    public static final String PEOPLE = "ou=people," + SUFFIX;
    public static final String GROUPS = "ou=groups," + SUFFIX;

    private final Process process;
    private final int port;
    private final Path dir;

    private Slapd(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts slapd with these people (uid to password) and groups (cn to member uids).
     */
    public static Slapd start(Map<String, String> people, Map<String, List<String>> groups) throws IOException {
        DiscoveryPeers.require("/usr/sbin/slapd", "/usr/sbin/slapadd");
        Path dir = Files.createTempDirectory("certwright-slapd-");
        Path db = Files.createDirectories(dir.resolve("db"));
        Path config = dir.resolve("slapd.conf");
        Files.writeString(config, """
                include /etc/ldap/schema/core.schema
                include /etc/ldap/schema/cosine.schema
                include /etc/ldap/schema/inetorgperson.schema
                pidfile %1$s/slapd.pid
                argsfile %1$s/slapd.args
                modulepath /usr/lib/ldap
                moduleload back_mdb
                database mdb
                maxsize 10485760
                suffix "%2$s"
                rootdn "cn=admin,%2$s"
                directory %3$s
                access to attrs=userPassword by anonymous auth by self read by * none
                access to * by * read
                """.formatted(dir, SUFFIX, db));
        StringBuilder ldif = new StringBuilder("""
                dn: %1$s
                objectClass: top
                objectClass: dcObject
                objectClass: organization
                o: Certwright test
                dc: certwright

                dn: %2$s
                objectClass: organizationalUnit
                ou: people

                dn: %3$s
                objectClass: organizationalUnit
                ou: groups

                """.formatted(SUFFIX, PEOPLE, GROUPS));
        people.forEach((uid, password) -> ldif.append("""
                dn: uid=%1$s,%2$s
                objectClass: inetOrgPerson
                uid: %1$s
                cn: %1$s
                sn: %1$s
                userPassword: %3$s

                """.formatted(uid, PEOPLE, password)));
        groups.forEach((cn, members) -> {
            ldif.append("dn: cn=").append(cn).append(',').append(GROUPS).append("\nobjectClass: groupOfNames\ncn: ").append(cn).append('\n');
            members.forEach(m -> ldif.append("member: uid=").append(m).append(',').append(PEOPLE).append('\n'));
            ldif.append('\n');
        });
        Files.writeString(dir.resolve("data.ldif"), ldif);
        Commands.run(dir, "/usr/sbin/slapadd", "-f", config.toString(), "-l", dir.resolve("data.ldif").toString()).assertSuccess();
        int port = CertwrightProcess.freePort();
        Process process = new ProcessBuilder("/usr/sbin/slapd", "-d", "0", "-h", "ldap://127.0.0.1:" + port + "/", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("slapd.log").toFile()).start();
        Ports.awaitListening(port, Duration.ofSeconds(20), process, dir.resolve("slapd.log"));
        return new Slapd(process, port, dir);
    }

    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
