package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.DiscoveryPeers;
import dev.certwright.support.NetNamespace;
import dev.certwright.support.StartTlsServers;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Network discovery against a network namespace the test makes (decision 75): a veth pair and a /30 of TEST-NET-2
 * (RFC 5737), and inside it the servers people run, each on the namespace's address and the port it is known by:
 * nginx serving three certificates by SNI on 443, HAProxy two by SNI on 8443, {@code openssl s_server} on 4433, and
 * Postfix (SMTP STARTTLS on 25), Dovecot (IMAP STARTTLS on 143) and slapd (LDAP StartTLS on 389). The packaged server,
 * on PostgreSQL, scans the /30 from the root namespace and may scan nothing else.
 */
class DiscoveryNamespaceIT {

    static final List<Integer> PORTS = List.of(443, 8443, 4433, 25, 143, 389);

    static Path work;
    static NetNamespace ns;
    static final List<AutoCloseable> servers = new ArrayList<>();
    static TestDatabase database;
    static CertwrightProcess app;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        DiscoveryPeers.require("/usr/sbin/nginx", "/usr/sbin/haproxy", "/usr/bin/openssl");
        StartTlsServers.require();
        work = Files.createTempDirectory("certwright-discovery-ns-");
        Path peers = Files.createDirectories(work.resolve("peers"));
        for (String name : List.of("alpha", "beta", "gamma", "lb-one", "lb-two", "plain", "mail", "imap", "ldap")) {
            DiscoveryPeers.selfSigned(peers, name, name + ".test");
        }
        ns = NetNamespace.create();
        String at = ns.address();
        Path nginxConfig = DiscoveryPeers.nginxBySni(peers, at, 443, List.of("alpha", "beta", "gamma"));
        Process nginx = ns.exec("/usr/sbin/nginx", "-c", nginxConfig.toString(), "-p", peers.toString()).redirectErrorStream(true)
                .redirectOutput(peers.resolve("nginx-console.log").toFile()).start();
        servers.add(nginx::destroy);
        ns.awaitListening(443, Duration.ofSeconds(20), nginx, peers.resolve("error.log"));
        Path haproxyConfig = DiscoveryPeers.haproxyBySni(peers, at, 8443, List.of("lb-one", "lb-two"));
        ns.run(peers, "/usr/sbin/haproxy", "-W", "-D", "-f", haproxyConfig.toString(), "-p", peers.resolve("haproxy.pid").toString()).assertSuccess();
        ns.awaitListening(8443, Duration.ofSeconds(20), null, null);
        Process sServer = ns.exec("/usr/bin/openssl", "s_server", "-quiet", "-naccept", "1000000", "-accept", at + ":4433", "-cert", "plain.crt",
                "-key", "plain.key").directory(peers.toFile()).redirectErrorStream(true).redirectOutput(peers.resolve("s_server.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        servers.add(sServer::destroy);
        ns.awaitListening(4433, Duration.ofSeconds(20), sServer, peers.resolve("s_server.log"));
        servers.add(StartTlsServers.postfix(ns, peers.resolve("mail.crt"), peers.resolve("mail.key")));
        servers.add(StartTlsServers.dovecot(ns, peers.resolve("imap.crt"), peers.resolve("imap.key")));
        servers.add(StartTlsServers.slapd(ns, peers.resolve("ldap.crt"), peers.resolve("ldap.key")));
        database = TestDatabase.postgres();
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database)
                .arg("--certwright.discovery.allowed-networks=" + ns.cidr()).arg("--certwright.discovery.run-interval=PT1S")
                .arg("--certwright.discovery.timeout=PT3S"));
        admin = app.adminToken();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable server : servers.reversed()) {
            try {
                server.close();
            } catch (Exception e) {
                // the namespace's close kills what is left
            }
        }
        if (ns != null) {
            ns.close(); // HAProxy (a daemon) and anything else still inside
        }
        if (database != null) {
            CertwrightProcess.stopAll(app, database, work);
        }
    }

    @Test
    void aScanOfTheNamespacesRangeFindsWhatEachServerServesByNameAndByStartTls() {
        Response created = app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "lab", "targets", List.of(ns.address()), "ports", PORTS,
                "serverNames", List.of("beta.test", "gamma.test", "lb-two.test"), "concurrency", 8, "ratePerSecond", 100));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response run = app.send("POST", "/api/v1/discovery/scans/lab/run", admin, "application/json", "");
        assertThat(run.status()).as(run.body()).isEqualTo(202);
        JsonNode done = awaitRun(run.headers().get("location").getFirst());
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("COMPLETED");
        // Six ports, each without SNI and with three names.
        assertThat(done.get("endpointsTotal").asInt()).isEqualTo(PORTS.size() * 4);
        assertThat(done.get("handshakes").asInt()).as(done.toString()).isEqualTo(PORTS.size() * 4);

        Map<String, JsonNode> bySubject = new HashMap<>();
        app.get("/api/v1/certificates?source=DISCOVERED&size=100", admin).json().get("items")
                .forEach(item -> bySubject.put(item.get("subject").asString(), app.get("/api/v1/certificates/" + item.get("serial").asString(), admin).json()));
        assertThat(bySubject.keySet()).contains("CN=alpha.test", "CN=beta.test", "CN=gamma.test", "CN=lb-one.test", "CN=lb-two.test", "CN=plain.test",
                "CN=mail.test", "CN=imap.test", "CN=ldap.test");
        assertThat(seen(bySubject.get("CN=beta.test"))).containsExactly("443 beta.test tls");
        assertThat(seen(bySubject.get("CN=alpha.test"))).as("nginx's default server: without SNI and for names it does not serve")
                .contains("443 - tls", "443 lb-two.test tls").doesNotContain("443 beta.test tls");
        assertThat(seen(bySubject.get("CN=lb-two.test"))).containsExactly("8443 lb-two.test tls");
        assertThat(seen(bySubject.get("CN=lb-one.test"))).contains("8443 - tls", "8443 beta.test tls");
        assertThat(seen(bySubject.get("CN=mail.test"))).contains("25 - smtp");
        assertThat(seen(bySubject.get("CN=imap.test"))).contains("143 - imap");
        assertThat(seen(bySubject.get("CN=ldap.test"))).contains("389 - ldap");
        JsonNode endpoint = bySubject.get("CN=mail.test").get("endpoints").get(0);
        assertThat(endpoint.get("address").asString()).isEqualTo(ns.address());
        assertThat(bySubject.get("CN=beta.test").get("endpoints").get(0).get("findings").toString()).contains("self-signed");
        assertThat(seen(bySubject.get("CN=alpha.test")).stream().filter(s -> s.contains("gamma")).toList()).isEmpty();
    }

    @Test
    void aRangeIsScannedAddressByAddressAndWhatAnswersIsRecorded() {
        assertThat(app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "range", "targets", List.of(ns.cidr()), "ports", List.of(4433)))
                .status()).isEqualTo(201);
        JsonNode done = awaitRun(app.send("POST", "/api/v1/discovery/scans/range/run", admin, "application/json", "").headers().get("location")
                .getFirst());
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("endpointsTotal").asInt()).as("the /30's four addresses").isEqualTo(4);
        assertThat(done.get("handshakes").asInt()).as(done.toString()).isEqualTo(1);
        assertThat(done.get("errors").toString()).as("each address that did not answer says so").contains(ns.hostAddress() + ":4433");
        JsonNode plain = null;
        for (JsonNode item : app.get("/api/v1/certificates?source=DISCOVERED&size=100", admin).json().get("items")) {
            if (item.get("subject").asString().equals("CN=plain.test")) {
                plain = app.get("/api/v1/certificates/" + item.get("serial").asString(), admin).json();
            }
        }
        assertThat(plain).as("s_server's certificate").isNotNull();
        assertThat(plain.get("endpoints").get(0).get("host").asString()).as("a range's host is the address").isEqualTo(ns.address());
    }

    @Test
    void nothingOutsideTheNamespacesRangeMayBeScanned() {
        for (Object target : List.of("127.0.0.1", ns.hostAddress() + "/29", "198.51.100.0/24")) {
            Response refused = app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "outside", "targets", List.of(target), "ports", List.of(443)));
            assertThat(refused.status()).as(target + ": " + refused.body()).isEqualTo(422);
            assertThat(refused.contentType()).contains("application/problem+json");
            assertThat(refused.body()).contains("allowed-networks");
        }
    }

    /** "port serverName protocol" of each endpoint where a certificate was seen as the leaf ("-": no SNI). */
    static List<String> seen(JsonNode certificate) {
        List<String> out = new ArrayList<>();
        certificate.get("endpoints").forEach(e -> out.add(e.get("port").asInt() + " "
                + (e.get("serverName") == null || e.get("serverName").isNull() ? "-" : e.get("serverName").asString()) + " " + e.get("protocol").asString()));
        return out;
    }

    static JsonNode awaitRun(String location) {
        return DiscoveryIT.awaitRun(app, admin, location);
    }
}
