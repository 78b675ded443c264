package dev.certwright.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivers one notice. Email through Spring's {@link JavaMailSender} ({@code spring.mail.*}); webhooks as a JSON POST
 * whose body is signed: {@code Certwright-Signature: sha256=<hex HMAC-SHA256 of the body>} with
 * {@code certwright.notify.webhook-secret}. Anything but 2xx is a failure. Throws on failure, with the reason.
 */
@Component
class NoticeChannels {

    static final String SIGNATURE_HEADER = "Certwright-Signature";

    private final ObjectProvider<JavaMailSender> mail;
    private final NotifyProperties properties;
    private final JsonMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();

    NoticeChannels(ObjectProvider<JavaMailSender> mail, NotifyProperties properties, JsonMapper json) {
        this.mail = mail;
        this.properties = properties;
        this.json = json;
    }

    void send(NoticeStore.Pending notice) {
        switch (notice.channel()) {
            case OwnerContacts.EMAIL -> email(notice);
            case OwnerContacts.WEBHOOK -> webhook(notice);
            default -> throw new IllegalStateException("unknown channel " + notice.channel());
        }
    }

    private void email(NoticeStore.Pending notice) {
        JavaMailSender sender = mail.getIfAvailable();
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
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(notice.target())).timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/json").header("Certwright-Event", notice.event())
                    .header(SIGNATURE_HEADER, "sha256=" + sign(body)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("webhook " + safeTarget(notice) + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("webhook " + safeTarget(notice) + " answered HTTP " + response.statusCode());
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
