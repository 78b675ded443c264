package dev.certwright.notify.internal;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.StartupException;

/**
 * {@code certwright.notify.*}.
 *
 * @param thresholds remaining lifetimes at which an expiry notice goes out
 * @param scanInterval how often the notice job looks for certificates to notify about and notices to send
 * @param webhookUrl a webhook that receives every notice, besides the owners' own (optional)
 * @param webhookSecret the HMAC-SHA256 key that signs webhook bodies; required as soon as any webhook is used
 * @param mailFrom the sender of notice emails
 * @param retryBackoff the wait after a failed delivery; it doubles, up to one hour
 * @param maxAttempts deliveries tried before a notice is left failed
 * @param allowedHosts host names and CIDR ranges that webhooks may reach although they are loopback, link-local, private
 *        or otherwise not public (WebhookAddresses); empty: only public addresses
 */
@ConfigurationProperties("certwright.notify")
public record NotifyProperties(@DefaultValue({"P30D", "P14D", "P7D", "P1D"}) List<Duration> thresholds,
        @DefaultValue("PT5M") Duration scanInterval, String webhookUrl, String webhookSecret,
        @DefaultValue("certwright@localhost") String mailFrom, @DefaultValue("PT1M") Duration retryBackoff,
        @DefaultValue("20") int maxAttempts, List<String> allowedHosts) {

    private static final java.util.regex.Pattern HOST_NAME = java.util.regex.Pattern.compile(
            "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");

    public NotifyProperties {
        thresholds = thresholds.stream().sorted(java.util.Comparator.reverseOrder()).toList();
        if (thresholds.isEmpty() || thresholds.stream().anyMatch(t -> t.isNegative() || t.isZero())) {
            throw new StartupException("certwright.notify.thresholds must be positive durations such as P30D,P7D");
        }
        if (scanInterval.isNegative() || scanInterval.isZero() || retryBackoff.isNegative() || retryBackoff.isZero() || maxAttempts < 1) {
            throw new StartupException("certwright.notify.scan-interval and retry-backoff must be positive, max-attempts at least 1");
        }
        // A short secret is a mistake to report, not a reason to run unsigned: an empty value is "not set", anything
        // else must be long enough to be an HMAC key worth the name. The value itself is never printed.
        if (webhookSecret != null && !webhookSecret.isEmpty() && webhookSecret.length() < 16) {
            throw new StartupException("certwright.notify.webhook-secret must be at least 16 characters long, not " + webhookSecret.length());
        }
        allowedHosts = allowedHosts == null ? List.of() : allowedHosts.stream().map(String::trim).filter(h -> !h.isEmpty()).toList();
        for (String host : allowedHosts) {
            if (dev.certwright.platform.InternetAddresses.Cidr.parse(host).isEmpty() && !HOST_NAME.matcher(host).matches()) {
                throw new StartupException("certwright.notify.allowed-hosts must list host names and CIDR ranges such as 10.0.0.0/8, not '"
                        + host + "'");
            }
        }
        if (webhookUrl != null && !webhookUrl.isBlank() && (webhookSecret == null || webhookSecret.length() < 16)) {
            throw new StartupException("certwright.notify.webhook-url needs certwright.notify.webhook-secret (at least 16 characters) to sign with");
        }
        if (webhookUrl != null && !webhookUrl.isBlank() && !webhookUrl.matches("https?://.+")) {
            throw new StartupException("certwright.notify.webhook-url must be an http or https URL");
        }
    }

    public boolean signingConfigured() {
        return webhookSecret != null && webhookSecret.length() >= 16;
    }
}
