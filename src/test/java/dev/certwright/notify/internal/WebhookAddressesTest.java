package dev.certwright.notify.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.mock.env.MockEnvironment;

import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.json.JsonMapper;
import dev.certwright.notify.OwnerContacts;

class WebhookAddressesTest {

    static NotifyProperties properties(List<String> allowedHosts) {
        return new NotifyProperties(List.of(Duration.ofDays(7)), Duration.ofMinutes(5), null, "a-secret-of-sixteen-chars", "certwright@localhost",
                Duration.ofMinutes(1), 20, allowedHosts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook",
            "http://[::ffff:127.0.0.1]/hook", "http://[::ffff:a9fe:a9fe]/hook", "https://10.0.0.5/hook", "https://100.64.1.1/hook",
            "http://[fd00::1]/hook", "http://0.0.0.0:8443/hook", "http://224.0.0.1/hook", "http://localhost:8443/hook"})
    void aWebhookToAnAddressThatIsNotPublicIsRefusedWhenSaved(String hook) {
        assertThat(new WebhookAddresses(properties(List.of())).refusal(URI.create(hook))).hasValueSatisfying(
                reason -> assertThat(reason).contains("certwright.notify.allowed-hosts"));
    }

    @Test
    void theAllowListAdmitsHostNamesAndRanges() {
        WebhookAddresses addresses = new WebhookAddresses(properties(List.of("localhost", "10.0.0.0/8", "::1")));
        assertThat(addresses.refusal(URI.create("http://localhost:9/hook"))).isEmpty();
        assertThat(addresses.refusal(URI.create("http://10.20.30.40/hook"))).isEmpty();
        assertThat(addresses.refusal(URI.create("http://[::1]/hook"))).isEmpty();
        assertThat(addresses.refusal(URI.create("http://127.0.0.1/hook"))).isPresent();
        assertThat(addresses.refusal(URI.create("http://192.168.0.1/hook"))).isPresent();
    }

    @Test
    void aNameIsRefusedWhenAnyOfItsAddressesIsNotPublic() throws Exception {
        WebhookAddresses addresses = new WebhookAddresses(properties(List.of()),
                host -> new InetAddress[] {InetAddress.getByName("93.184.215.14"), InetAddress.getByName("127.0.0.1")});
        assertThat(addresses.refusal(URI.create("https://mixed.example.com/hook"))).isPresent();
    }

    /**
     * DNS rebinding: the name resolved to a public address when the webhook was saved, and resolves to loopback when the
     * notice is sent. The sending client's own resolver refuses it, and the loopback server is never called.
     */
    @Test
    void aNameThatResolvesToLoopbackOnlyAtSendTimeIsNeverConnectedTo() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        WebhookAddresses addresses = new WebhookAddresses(properties(List.of()), host -> lookups.incrementAndGet() == 1
                ? new InetAddress[] {InetAddress.getByName("93.184.215.14")} : new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/", exchange -> {
            calls.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            String hook = "http://rebind.example.com:" + server.getAddress().getPort() + "/hook";
            assertThat(addresses.refusal(URI.create(hook))).as("saved while public").isEmpty();
            NoticeChannels channels = new NoticeChannels(new MockEnvironment(), new StaticListableBeanFactory().getBeanProvider(SslBundles.class),
                    properties(List.of()), JsonMapper.builder().build(), addresses);
            NoticeStore.Pending notice = new NoticeStore.Pending(1, 1, NoticeService.EXPIRING, "P7D", OwnerContacts.WEBHOOK, hook, 0, "{}");
            assertThatThrownBy(() -> channels.send(notice)).isInstanceOf(IllegalStateException.class).hasMessageContaining("refused")
                    .hasMessageContaining("loopback").hasMessageNotContaining("93.184");
            assertThat(calls.get()).isZero();
            channels.stop();
        } finally {
            server.stop(0);
        }
    }

    /** The same server, listed: reached, so the refusal above is the address rule and not a broken client. */
    @Test
    void aListedLoopbackWebhookIsCalled() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            NotifyProperties listed = properties(List.of("127.0.0.1"));
            NoticeChannels channels = new NoticeChannels(new MockEnvironment(), new StaticListableBeanFactory().getBeanProvider(SslBundles.class), listed,
                    JsonMapper.builder().build(), new WebhookAddresses(listed));
            channels.send(new NoticeStore.Pending(1, 1, NoticeService.EXPIRING, "P7D", OwnerContacts.WEBHOOK,
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/hook", 0, "{}"));
            assertThat(calls.get()).isEqualTo(1);
            channels.stop();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aLiteralIsNeverLookedUp() throws Exception {
        WebhookAddresses addresses = new WebhookAddresses(properties(List.of()), host -> {
            throw new UnknownHostException("looked up " + host);
        });
        assertThat(addresses.resolve("8.8.8.8")).containsExactly(InetAddress.getByName("8.8.8.8"));
    }
}
