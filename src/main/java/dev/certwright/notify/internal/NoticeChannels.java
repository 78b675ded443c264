package dev.certwright.notify.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.mail.autoconfigure.MailProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import jakarta.annotation.PreDestroy;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import dev.certwright.notify.OwnerContacts;

/**
 * Delivers one notice. Email through Spring's {@link JavaMailSender} ({@code spring.mail.*}); webhooks as a JSON POST
 * whose body is signed: {@code Certwright-Signature: sha256=<hex HMAC-SHA256 of the body>} with
 * {@code certwright.notify.webhook-secret}. Anything but 2xx is a failure (redirects are not followed). Throws on
 * failure, with the reason. Webhooks connect only to addresses {@link WebhookAddresses} allows, checked by the client's
 * resolver at connect time.
 */
@Component
class NoticeChannels {

    static final String SIGNATURE_HEADER = "Certwright-Signature";
    private static final Logger log = LoggerFactory.getLogger(NoticeChannels.class);

    /** Null when no mail server is configured. */
    private final JavaMailSender mail;
    private final NotifyProperties properties;
    private final JsonMapper json;
    private final CloseableHttpClient http;

    NoticeChannels(Environment environment, ObjectProvider<SslBundles> sslBundles, NotifyProperties properties, JsonMapper json,
            WebhookAddresses addresses) {
        this.mail = mailSender(Binder.get(environment).bind("spring.mail", MailProperties.class).orElseGet(MailProperties::new), sslBundles);
        this.properties = properties;
        this.json = json;
        // No proxy (the system's proxy settings are not read): a proxy would resolve the name itself, past the check.
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setDnsResolver(addresses.dnsResolver())
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(10))
                                .setSocketTimeout(Timeout.ofSeconds(15)).setTimeToLive(1, TimeUnit.MINUTES).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(15)).setRedirectsEnabled(false).build())
                .disableCookieManagement().disableAutomaticRetries().disableRedirectHandling().build();
    }

    /**
     * The mail sender, from {@code spring.mail.*} read when the server starts, as Spring Boot's mail auto-configuration
     * would make it (host, port, credentials, protocol, encoding, {@code spring.mail.properties.*}, {@code ssl.enabled},
     * {@code ssl.bundle}); null without {@code spring.mail.host}. That auto-configuration is switched off
     * (application.properties): it is decided when the jar is built for Spring AOT (decision 64), and a jar built without
     * a mail host would then never send mail.
     */
    static JavaMailSender mailSender(MailProperties properties, ObjectProvider<SslBundles> sslBundles) {
        if (!StringUtils.hasText(properties.getHost())) {
            return null;
        }
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost(properties.getHost());
        if (properties.getPort() != null) {
            sender.setPort(properties.getPort());
        }
        sender.setUsername(properties.getUsername());
        sender.setPassword(properties.getPassword());
        sender.setProtocol(properties.getProtocol());
        if (properties.getDefaultEncoding() != null) {
            sender.setDefaultEncoding(properties.getDefaultEncoding().name());
        }
        Properties javaMail = new Properties();
        javaMail.putAll(properties.getProperties());
        String protocol = StringUtils.hasText(properties.getProtocol()) ? properties.getProtocol() : "smtp";
        if (properties.getSsl().isEnabled()) {
            javaMail.setProperty("mail." + protocol + ".ssl.enable", "true");
        }
        if (properties.getSsl().getBundle() != null) {
            SslBundle bundle = sslBundles.getObject().getBundle(properties.getSsl().getBundle());
            javaMail.put("mail." + protocol + ".ssl.socketFactory", bundle.createSslContext().getSocketFactory());
        }
        if (!javaMail.isEmpty()) {
            sender.setJavaMailProperties(javaMail);
        }
        return sender;
    }

    @PreDestroy
    void stop() throws IOException {
        http.close();
    }

    void send(NoticeStore.Pending notice) {
        switch (notice.channel()) {
            case OwnerContacts.EMAIL -> email(notice);
            case OwnerContacts.WEBHOOK -> webhook(notice);
            default -> throw new IllegalStateException("unknown channel " + notice.channel());
        }
    }

    private void email(NoticeStore.Pending notice) {
        JavaMailSender sender = mail;
        if (sender == null) {
            throw new IllegalStateException("no mail server is configured (spring.mail.host)");
        }
        JsonNode body = json.readTree(notice.detail());
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(properties.mailFrom());
        message.setTo(notice.target());
        String names = String.join(", ", json.convertValue(body.get("names"), String[].class));
        message.setSubject(NoticeService.EXPIRING.equals(notice.event())
                ? "[Certwright] certificate for " + names + " expires in " + body.path("daysLeft").asLong() + " days"
                : "[Certwright] renewal of " + body.path("managedCertificate").asString("") + " failed");
        message.setText((NoticeService.EXPIRING.equals(notice.event()) ? "A certificate will expire and has no successor.\n\n"
                : "Certwright gave up renewing a managed certificate after " + notice.threshold().replace("attempt-", "") + " attempts.\n\n")
                + "Names:     " + names + "\nSerial:    " + body.path("serial").asString() + "\nOwner:     " + body.path("owner").asString()
                + "\nNot after: " + body.path("notAfter").asString() + "\nSource:    " + body.path("source").asString()
                + (body.has("error") ? "\nLast error: " + body.path("error").asString() : "") + "\n");
        try {
            sender.send(message);
        } catch (RuntimeException e) {
            throw new IllegalStateException("sending mail failed: " + e.getMessage(), e);
        }
    }

    private void webhook(NoticeStore.Pending notice) {
        byte[] body = notice.detail().getBytes(StandardCharsets.UTF_8);
        HttpPost post = new HttpPost(notice.target());
        post.setHeader("Certwright-Event", notice.event());
        post.setHeader(SIGNATURE_HEADER, "sha256=" + sign(body));
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        int status;
        try {
            status = http.execute(post, response -> {
                if (response.getEntity() != null) {
                    response.getEntity().getContent().close();
                }
                return response.getCode();
            });
        } catch (WebhookAddresses.Refused e) {
            throw new IllegalStateException("webhook " + safeTarget(notice) + " refused: its host " + e.getMessage(), e);
        } catch (IOException e) {
            log.debug("webhook {} unreachable", safeTarget(notice), e);
            throw new IllegalStateException("webhook " + safeTarget(notice) + " unreachable: " + e.getMessage(), e);
        }
        if (status / 100 != 2) {
            throw new IllegalStateException("webhook " + safeTarget(notice) + " answered HTTP " + status);
        }
    }

    String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(properties.webhookSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException | NullPointerException e) {
            throw new IllegalStateException("certwright.notify.webhook-secret is not set: webhook bodies cannot be signed");
        }
    }

    /** A webhook URL without its query string (which may hold a token), for logs and errors. */
    static String safeTarget(NoticeStore.Pending notice) {
        int query = notice.target().indexOf('?');
        return query < 0 ? notice.target() : notice.target().substring(0, query) + "?…";
    }
}
