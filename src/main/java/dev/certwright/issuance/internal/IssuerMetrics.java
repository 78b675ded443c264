package dev.certwright.issuance.internal;

import java.util.List;

import org.springframework.context.annotation.DependsOn;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.certwright.ca.CertificateAuthority;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/** {@code certwright.issuer.not.after{issuer}}: each issuer certificate's notAfter, in seconds since the epoch. */
@Component
@DependsOn("caBootstrap")
class IssuerMetrics {

    private final CertificateAuthority ca;
    private final MultiGauge notAfter;

    IssuerMetrics(CertificateAuthority ca, MeterRegistry meters) {
        this.ca = ca;
        this.notAfter = MultiGauge.builder("certwright.issuer.not.after").baseUnit("seconds").description("issuer certificate notAfter (epoch)")
                .register(meters);
    }

    @Scheduled(initialDelay = 1_000, fixedDelay = 60_000)
    void refresh() {
        List<MultiGauge.Row<?>> rows = ca.issuers().stream().<MultiGauge.Row<?>>map(issuer -> MultiGauge.Row.of(Tags.of("issuer", issuer.name()),
                issuer.certificate().getNotAfter().getTime() / 1000.0)).toList();
        notAfter.register(rows, true);
    }
}
